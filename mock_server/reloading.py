"""``--reload``: rebuild the app when the description or the seed file changes.

The state lives in the database, which the rebuilt app keeps using, so a
developer editing the description sees new routes and validators at once and
loses none of the accounts created so far. A change that breaks start-up is
logged and the previous app goes on serving.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from mock_server.errors import MockServerError
from mock_server.redaction import redacted

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("mock_server")

POLL_SECONDS = 0.5


class ReloadingApp:
    """A WSGI app that swaps in a fresh build when a watched file changes."""

    def __init__(
        self,
        build: Callable[[], WSGIApplication],
        watched: Iterable[Path],
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.build = build
        self.watched = list(watched)
        self.poll_seconds = poll_seconds
        self.current = build()
        self._stamps = self._read_stamps()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        return self.current(environ, start_response)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def check(self) -> bool:
        """Rebuild if a watched file changed since the last look; True if so."""
        stamps = self._read_stamps()

        if stamps == self._stamps:
            return False

        self._stamps = stamps

        try:
            self.current = self.build()
        except MockServerError as error:
            log.error(
                "Reload failed, the previous version keeps serving: %s",
                redacted(str(error)),
            )
            return False

        log.info("Reloaded after a change to %s", ", ".join(map(str, self.watched)))
        return True

    def _watch(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            self.check()

    def _read_stamps(self) -> list[tuple[int, int] | None]:
        stamps: list[tuple[int, int] | None] = []

        for path in self.watched:
            try:
                status = path.stat()
                stamps.append((status.st_mtime_ns, status.st_size))
            except OSError:
                stamps.append(None)

        return stamps
