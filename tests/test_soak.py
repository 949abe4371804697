"""32 clients write for a minute; afterwards every invariant of the state holds."""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.serving import mock_process

pytestmark = [pytest.mark.socket, pytest.mark.soak]

ADMIN = {"Authorization": "*:*.unleash-insecure-admin-api-token"}
ACCOUNTS = "/api/admin/service-account"
CLIENTS = 32
SECONDS = float(os.environ.get("SOAK_SECONDS", "60"))
# Clients also race for these few shared names, so username clashes happen.
SHARED_NAMES = [f"shared-{index}" for index in range(4)]


@dataclass
class Tally:
    """What the clients saw: successful writes and unexpected answers."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    counts: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)

    def count(self, what: str, amount: int = 1) -> None:
        with self.lock:
            self.counts[what] += amount

    def refuse(self, what: str) -> None:
        with self.lock:
            self.unexpected.append(what)


def client_loop(base_url: str, number: int, deadline: float, tally: Tally) -> None:
    draw = random.Random(number)
    session = requests.Session()
    session.headers.update(ADMIN)

    def call(
        method: str, path: str, expected: set[int], **kwargs: Any
    ) -> requests.Response | None:
        try:
            response = session.request(
                method, f"{base_url}{path}", timeout=10, **kwargs
            )
        except requests.RequestException as error:
            tally.refuse(f"{method} {path}: {type(error).__name__}")
            return None

        if response.status_code not in expected:
            tally.refuse(
                f"{method} {path}: {response.status_code} {response.text[:200]}"
            )
            return None

        return response

    iteration = 0

    while time.monotonic() < deadline:
        iteration += 1
        shared = draw.random() < 0.2
        username = draw.choice(SHARED_NAMES) if shared else f"c{number}-{iteration}"
        created = call(
            "POST",
            ACCOUNTS,
            {201, 409} if shared else {201},
            json={
                "username": username,
                "name": "soak",
                "rootRole": draw.choice([1, 2, 3]),
            },
        )

        if created is None or created.status_code == 409:
            continue

        tally.count("accounts created")
        account = created.json()["id"]
        tokens = []

        for index in range(draw.randint(0, 3)):
            token = call(
                "POST",
                f"{ACCOUNTS}/{account}/token",
                {201},
                json={"description": f"t{index}", "expiresAt": "2030-01-01T00:00:00Z"},
            )

            if token is not None:
                tally.count("tokens created")
                tokens.append(token.json()["id"])

        call(
            "PUT",
            f"{ACCOUNTS}/{account}",
            {200},
            json={"name": "renamed", "rootRole": 2},
        )
        call("GET", f"{ACCOUNTS}/{account}/token", {200})

        delete_token = bool(tokens) and draw.random() < 0.5
        path = f"{ACCOUNTS}/{account}"

        if delete_token and call("DELETE", f"{path}/token/{tokens.pop()}", {200}):
            tally.count("tokens deleted")

        delete_account = shared or draw.random() < 0.5

        if delete_account and call("DELETE", path, {200}):
            tally.count("accounts deleted")
            tally.count("tokens cascaded", len(tokens))


def test_32_clients_for_a_minute_leave_every_invariant_intact(tmp_path: Path) -> None:
    tally = Tally()
    state_file = tmp_path / "state.sqlite"

    with mock_process(
        "--no-seed", "--threads", "16", "--state-file", str(state_file)
    ) as running:
        deadline = time.monotonic() + SECONDS
        clients = [
            threading.Thread(
                target=client_loop, args=(running.base_url, number, deadline, tally)
            )
            for number in range(CLIENTS)
        ]
        for client in clients:
            client.start()

        for client in clients:
            client.join(timeout=SECONDS + 60)

        state = requests.get(f"{running.base_url}/__mock/state", timeout=30).json()

    accounts = state["serviceAccounts"]
    tokens = [token for account in accounts for token in account["tokens"]]
    counts = tally.counts
    print(f"soak: {CLIENTS} clients, {SECONDS:.0f} s, {dict(counts)}")
    assert tally.unexpected == []
    assert counts["accounts created"] > 10 * SECONDS
    assert len({account["id"] for account in accounts}) == len(accounts)
    assert len({account["username"] for account in accounts}) == len(accounts)
    assert len({token["id"] for token in tokens}) == len(tokens)
    assert len(accounts) == counts["accounts created"] - counts["accounts deleted"]
    assert len(tokens) == (
        counts["tokens created"] - counts["tokens deleted"] - counts["tokens cascaded"]
    )
    assert state["lastIds"]["user"] == counts["accounts created"]
    assert all(account["name"] == "renamed" for account in accounts)
    assert orphan_tokens(state_file) == 0


def orphan_tokens(state_file: Path) -> int:
    with sqlite3.connect(state_file) as database:
        row = database.execute(
            "SELECT COUNT(*) FROM tokens WHERE NOT EXISTS (SELECT 1 FROM users "
            "WHERE users.session = tokens.session AND users.id = tokens.account_id)"
        ).fetchone()

    count: int = row[0]
    return count
