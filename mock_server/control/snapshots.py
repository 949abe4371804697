"""Named snapshots of a session's state, kept as fixtures in the database."""

from __future__ import annotations

import json
from typing import Any

from mock_server.errors import ApiError, ErrorKind
from mock_server.fixtures import fixture_from_snapshot, snapshot_from_fixture
from mock_server.models import Snapshot
from mock_server.store import Store


class SnapshotNotFound(ApiError):
    def __init__(self, name: str) -> None:
        super().__init__(ErrorKind.NOT_FOUND, f"There is no snapshot named {name!r}.")


def summary(snapshot: Snapshot) -> dict[str, int]:
    """How much a state holds, as the control API reports it."""
    return {
        "users": len(snapshot.users),
        "serviceAccounts": len(snapshot.accounts),
        "tokens": sum(len(account.tokens) for account in snapshot.accounts),
    }


def save(store: Store, name: str) -> dict[str, Any]:
    snapshot = store.snapshot()

    with store.database.writing() as db:
        db.execute(
            "INSERT INTO snapshots (session, name, fixture) VALUES (?, ?, ?) "
            "ON CONFLICT (session, name) DO UPDATE SET fixture = excluded.fixture",
            (store.session, name, json.dumps(fixture_from_snapshot(snapshot))),
        )

    return {"name": name, **summary(snapshot)}


def restore(store: Store, name: str) -> Snapshot:
    with store.database.reading() as db:
        row = db.execute(
            "SELECT fixture FROM snapshots WHERE session = ? AND name = ?",
            (store.session, name),
        ).fetchone()

    if row is None:
        raise SnapshotNotFound(name)

    # A snapshot is a dump the mock wrote itself, so every record in it has
    # its timestamps and ids; the load time fills in nothing.
    snapshot = snapshot_from_fixture(json.loads(row[0]), store.clock(), name)
    store.restore(snapshot)
    return snapshot


def listed(store: Store) -> list[dict[str, Any]]:
    with store.database.reading() as db:
        rows = db.execute(
            "SELECT name, fixture FROM snapshots WHERE session = ? ORDER BY name",
            (store.session,),
        ).fetchall()

    return [
        {
            "name": name,
            **summary(snapshot_from_fixture(json.loads(text), store.clock())),
        }
        for name, text in rows
    ]


def delete(store: Store, name: str) -> None:
    with store.database.writing() as db:
        deleted = db.execute(
            "DELETE FROM snapshots WHERE session = ? AND name = ?",
            (store.session, name),
        )

    if deleted.rowcount == 0:
        raise SnapshotNotFound(name)
