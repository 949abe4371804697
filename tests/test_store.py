"""The store under concurrent writers: every invariant holds afterwards."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime

from mock_server.database import Database
from mock_server.errors import ApiError
from mock_server.store import Store
from tests.conftest import FakeClock

EXPIRY = datetime(2030, 1, 1, tzinfo=UTC)
WRITERS = 16
ROUNDS = 60


def test_concurrent_writers_keep_ids_usernames_and_tokens_consistent(
    clock: FakeClock,
) -> None:
    store = Store(Database(), clock=clock)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        start.wait()

        for round_ in range(ROUNDS):
            # Every writer races for the same few usernames, so clashes happen.
            username = f"bot-{round_ % 5}"

            try:
                account = store.create_account(username, f"writer {number}", 1)
                store.create_token(str(account.id), "first", EXPIRY)
                store.create_token(str(account.id), "second", EXPIRY)
                store.update_account(str(account.id), name="renamed", root_role=2)

                if round_ % 2:
                    store.delete_account(str(account.id))
                    outcome = "deleted"
                else:
                    outcome = "kept"
            except ApiError as error:
                outcome = error.kind.name

            with lock:
                outcomes[outcome] += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()

    for thread in threads:
        thread.join()

    snapshot = store.snapshot()
    accounts = snapshot.accounts
    token_ids = [token.id for account in accounts for token in account.tokens]
    assert sum(outcomes.values()) == WRITERS * ROUNDS
    assert set(outcomes) <= {"kept", "deleted", "NAME_EXISTS"}
    assert outcomes["NAME_EXISTS"] > 0
    assert len(accounts) == outcomes["kept"]
    assert len({account.username for account in accounts}) == len(accounts)
    assert len({account.id for account in accounts}) == len(accounts)
    assert len(set(token_ids)) == len(token_ids) == 2 * len(accounts)
    assert all(account.name == "renamed" for account in accounts)
    assert snapshot.last_user_id == outcomes["kept"] + outcomes["deleted"]
    assert snapshot.last_token_id == 2 * snapshot.last_user_id


def test_a_deleted_accounts_tokens_no_longer_authenticate(clock: FakeClock) -> None:
    store = Store(Database(), clock=clock)
    account = store.create_account("bot", "Bot", 1)
    _, secret = store.create_token(str(account.id), "t", EXPIRY)

    store.delete_account(str(account.id))

    assert store.use_token(secret) is None


def test_using_a_token_records_when(clock: FakeClock) -> None:
    store = Store(Database(), clock=clock)
    account = store.create_account("bot", "Bot", 1)
    token, secret = store.create_token(str(account.id), "t", EXPIRY)
    clock.advance(seconds=30)

    used_by = store.use_token(secret)

    assert used_by is not None
    assert used_by.token(token.id) == token.__class__(
        id=token.id,
        account_id=account.id,
        description="t",
        secret_hash=token.secret_hash,
        created_at=token.created_at,
        expires_at=EXPIRY,
        seen_at=clock.now,
    )


def test_a_secret_is_never_kept(clock: FakeClock) -> None:
    store = Store(Database(), clock=clock)
    account = store.create_account("bot", "Bot", 1)

    _, secret = store.create_token(str(account.id), "t", EXPIRY)

    assert secret not in repr(store.snapshot())
