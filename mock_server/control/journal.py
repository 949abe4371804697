"""The journal: each session's most recent API calls, credentials redacted.

A developer reads it to see what the frontend really sent and what the mock
answered. Nothing in it may leak a credential: the Authorization header and
cookies are replaced, and so is every token secret in a body (the ``secret``
field of a token, or anything shaped like one).

An entry is in the database before its client hears back, so a journal read
by any client, from any server process, shows every call answered before it.
A call served on the loop thread has its entry written at the end of its
round, with the round's other entries in one transaction: its response leaves
only after that (``threads.py``).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from mock_server.database import Database
from mock_server.fast_json import OwnJson, encoded, parsed_own
from mock_server.redaction import REDACTED, may_hold_secret, redacted
from mock_server.timestamps import format_instant

log = logging.getLogger("mock_server")

DEFAULT_JOURNAL_SIZE = 200
BODY_LIMIT = 16 * 1024

_SECRET_HEADERS = {"authorization", "cookie", "set-cookie", "proxy-authorization"}
# How often, in recorded calls, old entries are trimmed away.
_TRIM_EVERY = 50

# An entry of a session forgotten since its call was answered is dropped.
_INSERT = (
    "INSERT INTO journal (session, operation, entry) SELECT ?1, ?2, ?3 "
    "WHERE EXISTS (SELECT 1 FROM sessions WHERE name = ?1)"
)

_TRIM = (
    "DELETE FROM journal WHERE seq IN (SELECT seq FROM (SELECT seq, "
    "ROW_NUMBER() OVER (PARTITION BY session ORDER BY seq DESC) AS age "
    "FROM journal) WHERE age > ?)"
)

# Something that does work once the current round of requests is served.
AtRoundEnd = Callable[[Callable[[], None]], None]


class Journal:
    """Recent calls per session, at most ``size`` of them each."""

    def __init__(self, database: Database, size: int = DEFAULT_JOURNAL_SIZE) -> None:
        self.database = database
        self.size = size
        self._held: list[tuple[str, str, str]] = []
        self._held_lock = threading.Lock()
        self._since_trim = 0

    def record(
        self,
        session: str,
        operation_id: str,
        at: datetime,
        duration_ms: float,
        request: Mapping[str, Any],
        response: Mapping[str, Any],
        at_round_end: AtRoundEnd | None = None,
    ) -> None:
        """Keep one call; written now, or at the end of its round if offered."""
        entry = {
            "at": format_instant(at),
            "operation": operation_id,
            "durationMs": round(duration_ms, 3),
            "request": request,
            "response": response,
        }
        text = encoded(entry).decode()

        with self._held_lock:
            self._held.append((session, operation_id, text))

        if at_round_end is None:
            self.write_held()
        else:
            at_round_end(self.write_held)

    def write_held(self) -> None:
        """Write the entries not yet written, in one transaction."""
        with self._held_lock:
            rows, self._held = self._held, []

        if not rows:
            return

        try:
            with self.database.writing() as db:
                db.executemany(_INSERT, rows)
                self._since_trim += len(rows)

                if self._since_trim >= _TRIM_EVERY:
                    db.execute(_TRIM, (self.size,))
                    self._since_trim = 0
        except sqlite3.Error as error:
            # Their calls are answered; only the record of them is lost.
            log.error(
                "%d journal entries were lost: %s", len(rows), type(error).__name__
            )

    def read(
        self, session: str, operation: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """The newest ``limit`` entries, oldest first."""
        self.write_held()
        limit = min(limit, self.size)
        query = "SELECT seq, entry FROM journal WHERE session = ?"
        arguments: list[object] = [session]

        if operation is not None:
            query += " AND operation = ?"
            arguments.append(operation)

        with self.database.reading() as db:
            rows = db.execute(
                query + " ORDER BY seq DESC LIMIT ?", (*arguments, limit)
            ).fetchall()

        return [{"seq": seq, **json.loads(entry)} for seq, entry in reversed(rows)]

    def clear(self, session: str) -> None:
        self.write_held()

        with self.database.writing() as db:
            db.execute("DELETE FROM journal WHERE session = ?", (session,))


def redacted_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers as a journal shows them: credentials replaced, scheme kept."""
    shown = {}

    for name, value in headers:
        if name.lower() in _SECRET_HEADERS:
            scheme = value.split(" ", 1)[0] if " " in value.strip() else ""
            value = f"{scheme} {REDACTED}" if scheme else REDACTED

        shown[name] = redacted(value)

    return shown


def redacted_body(
    raw: bytes, content_type: str | None, parse: Callable[[str], Any] = json.loads
) -> Any:
    """A body as a journal shows it: JSON parsed, secrets replaced, cut short.

    ``parse`` reads JSON; the mock's own responses may take a faster one.
    """
    if not raw:
        return None

    text = raw[:BODY_LIMIT].decode("utf-8", errors="replace")

    if len(raw) <= BODY_LIMIT and "json" in (content_type or ""):
        try:
            value = parse(text)
        except (ValueError, RecursionError):
            pass
        else:
            return value if _nothing_to_redact(text) else _redact_value(value)

    suffix = "…" if len(raw) > BODY_LIMIT else ""
    return redacted(text) + suffix


def own_body(raw: bytes, content_type: str | None) -> Any:
    """A body the mock sent, as a journal shows it.

    The mock's JSON goes into the entry as it was sent, unless it may hold a
    secret (a token's, the one time one is shown), which is then replaced.
    """
    if raw and len(raw) <= BODY_LIMIT and "json" in (content_type or ""):
        text = raw.decode("utf-8", errors="replace")

        if _nothing_to_redact(text):
            return OwnJson(raw)

    return redacted_body(raw, content_type, parse=parsed_own)


def _nothing_to_redact(text: str) -> bool:
    """Whether JSON text certainly holds no secret, seen in one scan of it.

    Most bodies hold none, and walking every string of a parsed body costs far
    more. A body with an escape sequence could spell a secret the scan does
    not see, so it is walked.
    """
    return '"secret"' not in text and "\\" not in text and not may_hold_secret(text)


def _redact_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: REDACTED if key == "secret" else _redact_value(item)
            for key, item in value.items()
        }

    if isinstance(value, list):
        return [_redact_value(item) for item in value]

    if isinstance(value, str):
        return redacted(value)

    return value
