"""The SQLite database that holds every session's state.

SQLite gives the mock three things at once: transactions, so concurrent
requests see each change whole; a file that survives a restart or a ``kill -9``
(``--state-file``), since a committed transaction is in the write-ahead log
before the response leaves; and one state that several server processes can
share. Without a state file the database lives in memory.

Every process opens its own connection. Within a process one lock serialises
the connection's transactions; between processes sharing a state file, a lock
on a file beside it (``<state file>-lock``) serialises the writes. SQLite's
own file locks would do as much, but a writer that finds them taken polls,
sleeping 1, 2, 5, 10 ms and more between tries, while every request of its
process waits; a writer waiting on the lock file wakes the moment it is free.
A writer still takes SQLite's write lock at ``BEGIN IMMEDIATE``, so that two
writers never deadlock upgrading a read.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mock_server.errors import StartupError

if sys.platform != "win32":
    import fcntl

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    name TEXT PRIMARY KEY,
    last_user_id INTEGER NOT NULL DEFAULT 0,
    last_token_id INTEGER NOT NULL DEFAULT 0
);

-- Human users and service accounts share one table, as in Unleash: one id
-- sequence and one namespace of usernames. root_role is NULL for a human.
CREATE TABLE IF NOT EXISTS users (
    session TEXT NOT NULL REFERENCES sessions (name) ON DELETE CASCADE,
    id INTEGER NOT NULL,
    username TEXT NOT NULL,
    name TEXT NOT NULL,
    root_role INTEGER,
    created_at TEXT,
    PRIMARY KEY (session, id),
    UNIQUE (session, username)
);

CREATE TABLE IF NOT EXISTS tokens (
    session TEXT NOT NULL,
    id INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    description TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    seen_at TEXT,
    PRIMARY KEY (session, id),
    UNIQUE (session, secret_hash),
    FOREIGN KEY (session, account_id) REFERENCES users (session, id)
        ON DELETE CASCADE
);

CREATE INDEX IF NOT EXISTS tokens_by_account ON tokens (session, account_id);

-- A number that grows with every change to a user, account or token, in any
-- session and by any process: what was built from those records stays true
-- until it grows (lists.py).
CREATE TABLE IF NOT EXISTS generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);

INSERT OR IGNORE INTO generation (id, value) VALUES (1, 0);

CREATE TABLE IF NOT EXISTS snapshots (
    session TEXT NOT NULL REFERENCES sessions (name) ON DELETE CASCADE,
    name TEXT NOT NULL,
    fixture TEXT NOT NULL,
    PRIMARY KEY (session, name)
);

CREATE TABLE IF NOT EXISTS faults (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session TEXT NOT NULL REFERENCES sessions (name) ON DELETE CASCADE,
    operation TEXT NOT NULL,
    spec TEXT NOT NULL,
    remaining INTEGER,
    calls INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX IF NOT EXISTS faults_by_session ON faults (session, operation);

CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    session TEXT NOT NULL REFERENCES sessions (name) ON DELETE CASCADE,
    operation TEXT NOT NULL,
    entry TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS journal_by_session ON journal (session, seq);
"""

# Every change to a user, account or token bumps the generation.
SCHEMA += "".join(
    f"CREATE TRIGGER IF NOT EXISTS {table}_{event.lower()} AFTER {event} ON {table} "
    "BEGIN UPDATE generation SET value = value + 1; END;\n"
    for table in ("users", "tokens")
    for event in ("INSERT", "UPDATE", "DELETE")
)

# How long a writer waits for another process to release the write lock.
BUSY_TIMEOUT_MS = 10_000


class Database:
    """One connection to the state database, for this process."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._connection = _connect(path)
        self._writers = _writers_lock(path)
        # Transactions nest: an inner block joins the one its thread holds.
        self._depth = 0
        self._holding_writers = False

    def reconnect(self) -> None:
        """Open a new connection, in a process forked after ``close``.

        A SQLite connection must not cross a fork, so a parent closes its own
        and each child opens one to the same file. Memory cannot be shared.
        """
        if self.path is None:
            raise ValueError("A database in memory cannot be opened again.")

        self._connection = _connect(self.path)
        self._writers = _writers_lock(self.path)

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed when the block ends, else rolled back."""
        with (
            self._lock,
            self._writers_turn(),
            self._transaction("BEGIN IMMEDIATE") as connection,
        ):
            yield connection

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query in it sees the same state."""
        with self._transaction("BEGIN") as connection:
            yield connection

    def fetch_one(self, query: str, arguments: tuple[object, ...]) -> Any:
        """The first row of one statement, which SQLite runs as its own transaction.

        A single statement sees one state without a BEGIN and a COMMIT around
        it, which would triple what the hottest lookups cost. Writes go through
        ``writing``, which takes the writers' lock.
        """
        with self._lock:
            # Read to the end, so that a write commits before the lock is let go.
            rows = self._connection.execute(query, arguments).fetchall()

        return rows[0] if rows else None

    @contextmanager
    def _writers_turn(self) -> Iterator[None]:
        """The process's turn to write, among the processes sharing the file.

        Taken under ``_lock``. A write block inside another one joins it, and
        its process holds the turn already: taking it again and letting it go
        at the inner block's end would let it go too soon.
        """
        if self._writers is None or self._holding_writers:
            yield
            return

        with self._writers:
            self._holding_writers = True

            try:
                yield
            finally:
                self._holding_writers = False

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._depth:
                self._depth += 1

                try:
                    yield self._connection
                finally:
                    self._depth -= 1

                return

            self._connection.execute(begin)
            self._depth = 1

            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            else:
                self._connection.execute("COMMIT")
            finally:
                self._depth = 0

    def close(self) -> None:
        with self._lock:
            self._connection.close()

            if self._writers is not None:
                self._writers.close()


class _LockFile:
    """An exclusive lock on a file, held by one process at a time.

    ``flock`` locks belong to an open file, which a fork shares: each process
    must open the file itself (``Database.reconnect``).
    """

    def __init__(self, path: Path) -> None:
        self._descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    def __enter__(self) -> None:
        fcntl.flock(self._descriptor, fcntl.LOCK_EX)

    def __exit__(self, *_: object) -> None:
        fcntl.flock(self._descriptor, fcntl.LOCK_UN)

    def close(self) -> None:
        os.close(self._descriptor)


def _writers_lock(path: Path | None) -> _LockFile | None:
    # Memory is never shared, and Windows has no flock: there SQLite's own
    # locks serialise the writers of a shared file, only more slowly.
    if path is None or sys.platform == "win32":
        return None

    return _LockFile(path.with_name(path.name + "-lock"))


def _connect(path: Path | None) -> sqlite3.Connection:
    target = ":memory:" if path is None else str(path)

    try:
        # Autocommit mode: transactions are exactly the BEGINs written above.
        connection = sqlite3.connect(
            target, isolation_level=None, check_same_thread=False
        )
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA foreign_keys = ON")

        if path is not None:
            # WAL with NORMAL sync keeps every committed transaction across a
            # crash of the process, and lets readers run beside a writer.
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")

        connection.executescript(SCHEMA)
    except sqlite3.DatabaseError as error:
        raise StartupError(
            f"Cannot use {target!r} as the state file: {error}. Point --state-file "
            "at a new path or at a file an earlier mock wrote."
        ) from None

    return connection
