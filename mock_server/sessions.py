"""Sessions: isolated states inside one mock, chosen per request by a header.

A caller that sends ``X-Mock-Session: <name>`` works on its own state, so test
runs sharing one mock never see each other's accounts. A session starts as a
copy of the seed the first time it is used; without the header a request uses
the ``default`` session.
"""

from __future__ import annotations

import re

from mock_server.database import Database
from mock_server.errors import ErrorKind, MockUsageError
from mock_server.lists import BuiltLists
from mock_server.models import Snapshot
from mock_server.store import Store
from mock_server.timestamps import Clock, utc_now

SESSION_HEADER = "X-Mock-Session"
DEFAULT_SESSION = "default"

_SESSION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class InvalidSessionName(MockUsageError):
    def __init__(self, name: str) -> None:
        shown = name if len(name) <= 80 else name[:79] + "…"
        super().__init__(
            ErrorKind.BAD_DATA,
            f"{shown!r} is not a session name. Use 1 to 64 letters, digits, dots, "
            "dashes or underscores, starting with a letter or digit.",
            details=[
                {
                    "path": f"/header/{SESSION_HEADER}",
                    "message": f"The `{SESSION_HEADER}` header names no valid session.",
                }
            ],
        )


class Sessions:
    """Every session of one database, each seeded on first use."""

    def __init__(
        self, database: Database, seed: Snapshot, clock: Clock = utc_now
    ) -> None:
        self.database = database
        self.seed = seed
        self.clock = clock
        self.lists = BuiltLists()

    def store(self, name: str | None) -> Store:
        """The store of a session, created from the seed if it is new."""
        name = DEFAULT_SESSION if name is None else name

        if _SESSION_NAME.fullmatch(name) is None:
            raise InvalidSessionName(name)

        store = Store(self.database, name, self.clock, self.lists)

        if not self._exists(name):
            with self.database.writing():
                # Checked again under the write lock: another request or another
                # process may have created the session in between.
                if not self._exists(name):
                    store.restore(self.seed)

        return store

    def names(self) -> list[str]:
        with self.database.reading() as db:
            rows = db.execute("SELECT name FROM sessions ORDER BY name")
            return [row[0] for row in rows]

    def reset(self, name: str | None) -> Store:
        """Put a session back to the seed."""
        store = self.store(name)
        store.restore(self.seed)
        return store

    def _exists(self, name: str) -> bool:
        query = "SELECT 1 FROM sessions WHERE name = ?"
        return self.database.fetch_one(query, (name,)) is not None

    def delete(self, name: str) -> bool:
        """Forget a session entirely; True if it existed."""
        with self.database.writing() as db:
            deleted = db.execute("DELETE FROM sessions WHERE name = ?", (name,))
            return deleted.rowcount > 0
