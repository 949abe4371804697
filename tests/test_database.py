"""The state database: writers of several processes take turns on a lock file.

Another process is played by a second open file: ``flock`` locks belong to
open files, so two of them exclude each other even inside one process.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from mock_server.database import Database

INSERT_SESSION = "INSERT INTO sessions (name) VALUES (?)"


def add_session(database: Database, name: str) -> None:
    with database.writing() as db:
        db.execute(INSERT_SESSION, (name,))


@contextmanager
def lock_file_of(state: Path) -> Iterator[int]:
    """The state's lock file, opened as another process would open it."""
    descriptor = os.open(state.with_name(state.name + "-lock"), os.O_RDWR)

    try:
        yield descriptor
    finally:
        os.close(descriptor)


def is_held(descriptor: int) -> bool:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True

    fcntl.flock(descriptor, fcntl.LOCK_UN)
    return False


def session_names(database: Database) -> list[str]:
    with database.reading() as db:
        return [row[0] for row in db.execute("SELECT name FROM sessions")]


def test_a_write_waits_while_another_process_holds_the_writers_lock(
    tmp_path: Path,
) -> None:
    state = tmp_path / "state.sqlite"
    database = Database(state)
    writer = threading.Thread(target=add_session, args=(database, "waited"))

    with lock_file_of(state) as other:
        fcntl.flock(other, fcntl.LOCK_EX)
        writer.start()
        writer.join(timeout=0.3)
        waiting = writer.is_alive()
        fcntl.flock(other, fcntl.LOCK_UN)

    writer.join(timeout=5)

    assert waiting
    assert session_names(database) == ["waited"]


def test_a_write_inside_a_write_keeps_the_lock_until_the_outer_commit(
    tmp_path: Path,
) -> None:
    state = tmp_path / "state.sqlite"
    database = Database(state)

    with lock_file_of(state) as other:
        with database.writing():
            add_session(database, "inner")
            held_after_the_inner_block = is_held(other)

        held_after_the_commit = is_held(other)

    assert held_after_the_inner_block
    assert not held_after_the_commit


def test_a_write_inside_a_read_takes_the_lock(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    database = Database(state)

    with lock_file_of(state) as other, database.reading(), database.writing() as db:
        db.execute(INSERT_SESSION, ("inside",))
        held_while_writing = is_held(other)

    assert held_while_writing


def test_a_reconnected_database_sees_what_was_written_before(tmp_path: Path) -> None:
    database = Database(tmp_path / "state.sqlite")
    add_session(database, "before")
    database.close()

    database.reconnect()
    add_session(database, "after")

    assert session_names(database) == ["after", "before"]


def test_a_database_in_memory_cannot_be_reconnected() -> None:
    database = Database()

    with pytest.raises(ValueError, match="in memory cannot be opened again"):
        database.reconnect()
