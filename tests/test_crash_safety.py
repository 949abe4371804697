"""``kill -9`` under write load, again and again: no acknowledged write is lost.

Writers create accounts and tokens, rename accounts and delete both, each on
accounts of its own, while the server is killed at a random moment. After
each kill the state file must open whole, hold every write that was answered
with a 2xx and none that was undone by an answered delete. A request cut off
by the kill may or may not have happened; the next look settles which.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.serving import mock_process

pytestmark = [pytest.mark.socket, pytest.mark.crash]

ADMIN = {"Authorization": "*:*.unleash-insecure-admin-api-token"}
ACCOUNTS = "/api/admin/service-account"
CYCLES = 12
WRITERS = 4
TOKEN = {"description": "", "expiresAt": "2030-01-01T00:00:00Z"}


@dataclass
class Account:
    """What the writers were told about one account, and what is still open."""

    username: str
    name: str
    deleted: bool = False
    # Set while a rename or delete was cut off by a kill: either outcome is fine.
    maybe_name: str | None = None
    maybe_deleted: bool = False
    tokens: set[int] = field(default_factory=set)
    deleted_tokens: set[int] = field(default_factory=set)
    maybe_deleted_tokens: set[int] = field(default_factory=set)


@dataclass
class Ledger:
    """Every acknowledged write of every cycle, shared by the writer threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    accounts: dict[int, Account] = field(default_factory=dict)
    acknowledged: int = 0
    unexpected: list[str] = field(default_factory=list)
    highest_user_id: int = 0
    highest_token_id: int = 0

    def live(self, owner: str) -> list[int]:
        with self.lock:
            return [
                account_id
                for account_id, account in self.accounts.items()
                if account.username.startswith(owner)
                and not (account.deleted or account.maybe_deleted)
            ]


class Writer:
    """One client writing to its own accounts until the server dies."""

    def __init__(self, base_url: str, owner: str, ledger: Ledger, seed: int) -> None:
        self.base_url = base_url
        self.owner = owner
        self.ledger = ledger
        self.seed = seed
        self.draw = random.Random(seed)
        self.session = requests.Session()
        self.session.headers.update(ADMIN)
        self.steps = 0

    def run(self) -> None:
        actions: list[Callable[[], bool]] = [
            self.create_account,
            self.create_token,
            self.rename,
            self.delete_token,
            self.delete_account,
        ]

        while self.draw.choice(actions[:1] * 3 + actions)():
            self.steps += 1

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response | None:
        """The 2xx answer, or None once the server is gone or answers otherwise."""
        try:
            response = self.session.request(
                method, self.base_url + path, timeout=10, **kwargs
            )
        except requests.RequestException:
            return None

        if response.status_code >= 300:
            with self.ledger.lock:
                self.ledger.unexpected.append(
                    f"{method} {path}: {response.status_code} {response.text[:200]}"
                )

            return None

        return response

    def create_account(self) -> bool:
        username = f"{self.owner}{self.seed}-{self.steps}"
        body = {"username": username, "name": "n0", "rootRole": 2}
        response = self.call("POST", ACCOUNTS, json=body)

        if response is None:
            return False

        account_id = response.json()["id"]

        with self.ledger.lock:
            self.ledger.accounts[account_id] = Account(username, "n0")
            self.ledger.acknowledged += 1
            self.ledger.highest_user_id = max(self.ledger.highest_user_id, account_id)

        return True

    def create_token(self) -> bool:
        candidates = [
            account_id
            for account_id in self.ledger.live(self.owner)
            if len(self.ledger.accounts[account_id].tokens) < 5
        ]

        if not candidates:
            return True

        account_id = self.draw.choice(candidates)
        # Unique across cycles: an account outlives the cycle that made it.
        body = {**TOKEN, "description": f"t{self.seed}-{self.steps}"}
        response = self.call("POST", f"{ACCOUNTS}/{account_id}/token", json=body)

        if response is None:
            return False

        token_id = response.json()["id"]

        with self.ledger.lock:
            self.ledger.accounts[account_id].tokens.add(token_id)
            self.ledger.acknowledged += 1
            self.ledger.highest_token_id = max(self.ledger.highest_token_id, token_id)

        return True

    def rename(self) -> bool:
        account_id = self._pick_live()

        if account_id is None:
            return True

        account = self.ledger.accounts[account_id]
        name = f"n{self.steps}"
        response = self.call("PUT", f"{ACCOUNTS}/{account_id}", json={"name": name})

        with self.ledger.lock:
            if response is None:
                account.maybe_name = name
                return False

            account.name = name
            self.ledger.acknowledged += 1

        return True

    def delete_account(self) -> bool:
        account_id = self._pick_live()

        if account_id is None:
            return True

        account = self.ledger.accounts[account_id]
        response = self.call("DELETE", f"{ACCOUNTS}/{account_id}")

        with self.ledger.lock:
            if response is None:
                account.maybe_deleted = True
                return False

            account.deleted = True
            self.ledger.acknowledged += 1

        return True

    def delete_token(self) -> bool:
        candidates = [
            account_id
            for account_id in self.ledger.live(self.owner)
            if self.ledger.accounts[account_id].tokens
        ]

        if not candidates:
            return True

        account_id = self.draw.choice(candidates)
        account = self.ledger.accounts[account_id]
        token_id = self.draw.choice(sorted(account.tokens))
        response = self.call("DELETE", f"{ACCOUNTS}/{account_id}/token/{token_id}")

        with self.ledger.lock:
            if response is None:
                account.maybe_deleted_tokens.add(token_id)
                return False

            account.tokens.discard(token_id)
            account.deleted_tokens.add(token_id)
            self.ledger.acknowledged += 1

        return True

    def _pick_live(self) -> int | None:
        live = self.ledger.live(self.owner)
        return self.draw.choice(live) if live else None


def check_state_file(state_file: Path) -> None:
    """The file a killed server left opens whole and keeps its foreign keys."""
    with sqlite3.connect(state_file) as database:
        integrity = database.execute("PRAGMA integrity_check").fetchall()
        orphans = database.execute(
            "SELECT COUNT(*) FROM tokens WHERE NOT EXISTS (SELECT 1 FROM users "
            "WHERE users.session = tokens.session AND users.id = tokens.account_id)"
        ).fetchone()

    assert integrity == [("ok",)]
    assert orphans == (0,)


def check_and_settle(state: dict[str, Any], ledger: Ledger) -> int:
    """Check the served state against the ledger; return how many writes it held.

    A write cut off by the kill is settled by what the state shows, and from
    then on it must last like any acknowledged one.
    """
    accounts = state["serviceAccounts"]
    present = {account["id"]: account for account in accounts}
    token_ids = [token["id"] for account in accounts for token in account["tokens"]]
    checked = 0

    assert len(present) == len(accounts)
    assert len({account["username"] for account in accounts}) == len(accounts)
    assert len(set(token_ids)) == len(token_ids)
    assert state["lastIds"]["user"] >= ledger.highest_user_id
    assert state["lastIds"]["token"] >= ledger.highest_token_id

    for account_id, found in present.items():
        if account_id not in ledger.accounts and found["username"].startswith("w"):
            ledger.accounts[account_id] = Account(found["username"], found["name"])

    for account_id, expected in ledger.accounts.items():
        found = present.get(account_id)
        checked += 1

        if expected.deleted or (expected.maybe_deleted and found is None):
            assert found is None, f"account {account_id} was deleted, yet is back"
            expected.deleted = True
            continue

        assert found is not None, f"acknowledged account {account_id} is gone"
        tokens = {token["id"] for token in found["tokens"]}
        kept = expected.tokens - expected.maybe_deleted_tokens
        assert found["username"] == expected.username
        assert found["name"] in {expected.name, expected.maybe_name}
        assert kept <= tokens, f"acknowledged tokens {kept - tokens} are gone"
        assert not tokens & expected.deleted_tokens, "deleted tokens are back"
        checked += len(expected.tokens) + len(expected.deleted_tokens)
        expected.name, expected.maybe_name = found["name"], None
        expected.maybe_deleted = False
        expected.tokens = tokens
        expected.deleted_tokens |= expected.maybe_deleted_tokens - tokens
        expected.maybe_deleted_tokens = set()

    return checked


def dumped_state(base_url: str) -> dict[str, Any]:
    state: dict[str, Any] = requests.get(f"{base_url}/__mock/state", timeout=10).json()
    return state


def test_every_acknowledged_write_survives_repeated_kill_9(tmp_path: Path) -> None:
    state_file = tmp_path / "state.sqlite"
    ledger = Ledger()
    moments = random.Random(20261204)
    checked = 0

    for cycle in range(CYCLES):
        with mock_process("--no-seed", "--state-file", str(state_file)) as running:
            checked += check_and_settle(dumped_state(running.base_url), ledger)
            writers = [
                Writer(running.base_url, f"w{n}-", ledger, seed=cycle * WRITERS + n)
                for n in range(WRITERS)
            ]
            threads = [threading.Thread(target=writer.run) for writer in writers]

            for thread in threads:
                thread.start()

            time.sleep(moments.uniform(0.3, 1.5))
            running.kill()

            for thread in threads:
                thread.join(timeout=30)

        check_state_file(state_file)

    with mock_process("--no-seed", "--state-file", str(state_file)) as running:
        checked += check_and_settle(dumped_state(running.base_url), ledger)

    print(
        f"crash safety: {CYCLES} kills survived, {ledger.acknowledged} acknowledged "
        f"writes, {checked} write checks"
    )
    assert ledger.unexpected == []
    assert ledger.acknowledged > 20 * CYCLES
