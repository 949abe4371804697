"""Service-account lists already built, kept until the records change.

A frontend reads the list far more often than it changes anything, and a
list of 1,000 accounts took about 6 ms to read, shape and check. So a list is
built once for each generation of the records (a number in the database that
every change to a user, account or token bumps, whichever process makes it)
and sent again as long as the generation stands.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

# Sessions whose lists are kept at once; the least recently read goes first.
KEPT_SESSIONS = 16

# A longer list is built afresh each time: kept, 10,000 accounts would hold
# tens of MiB for as long as they stand.
MAX_KEPT_ACCOUNTS = 2_000


class BuiltLists:
    """List bodies by session, each for the generation it was built from."""

    def __init__(self) -> None:
        self._bodies: OrderedDict[str, tuple[int, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: str, generation: int) -> dict[str, Any] | None:
        """The session's list as of ``generation``, if it was built for it."""
        with self._lock:
            kept = self._bodies.get(session)

            if kept is None or kept[0] != generation:
                return None

            self._bodies.move_to_end(session)
            return kept[1]

    def keep(self, session: str, generation: int, body: dict[str, Any]) -> bool:
        """Keep a list built from ``generation`` of the records, if it is short.

        True if it is kept.
        """
        if len(body["serviceAccounts"]) > MAX_KEPT_ACCOUNTS:
            return False

        with self._lock:
            self._bodies[session] = (generation, body)
            self._bodies.move_to_end(session)

            while len(self._bodies) > KEPT_SESSIONS:
                self._bodies.popitem(last=False)

        return True
