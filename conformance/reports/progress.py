"""Progress while a run goes on: phases as they start and end, and a count.

In a terminal the count is one line redrawn in place. Anywhere else, a CI log
above all, nothing is redrawn: the count is printed as a new line now and
then, so that a slow server still shows signs of life without flooding the log.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TextIO

# Seconds between two count lines: often enough in a terminal to look live,
# seldom enough in a log to stay readable.
TERMINAL_INTERVAL = 0.1
LOG_INTERVAL = 10.0


class ProgressPrinter:
    """Writes a run's progress to a text stream; the runner's ``Progress``."""

    def __init__(
        self,
        stream: TextIO,
        *,
        live: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.live = stream.isatty() if live is None else live
        self.clock = clock
        self.interval = TERMINAL_INTERVAL if self.live else LOG_INTERVAL
        self.passed = 0
        self.failed = 0
        self._phase = ""
        self._phase_start = 0.0
        self._last_count = 0.0
        self._drawn = 0
        self._failing: set[tuple[str, str]] = set()
        # Checks end on Schemathesis's worker threads too: one writer at a
        # time keeps the counts whole and the lines apart.
        self._lock = threading.Lock()

    def phase_started(self, name: str) -> None:
        with self._lock:
            self._phase = name
            self.passed = self.failed = 0
            self._phase_start = self._last_count = self.clock()
            self._line(f"{name}: started")

    def check_done(self, operation: str, check: str, ok: bool) -> None:
        with self._lock:
            self._check_done(operation, check, ok)

    def phase_finished(self, name: str) -> None:
        with self._lock:
            elapsed = self.clock() - self._phase_start
            checks = f", {self._counts()}" if self.passed or self.failed else ""
            self._line(f"{name}: finished in {elapsed:.1f} s{checks}")

    def _check_done(self, operation: str, check: str, ok: bool) -> None:
        if ok:
            self.passed += 1
        else:
            self.failed += 1

        # Each failing pair is named once, however many inputs break it; the
        # summary at the end tells the whole story.
        if not ok and (operation, check) not in self._failing:
            self._failing.add((operation, check))
            self._line(f"  failed: {check} on {operation}")

        now = self.clock()

        if now - self._last_count >= self.interval:
            self._last_count = now
            self._count(f"{self._phase}: {self._counts()}")

    def _counts(self) -> str:
        checks = self.passed + self.failed
        return f"{checks} checks, {self.passed} passed, {self.failed} failed"

    def _count(self, text: str) -> None:
        if not self.live:
            self._line(text)
            return

        # Spaces cover the end of a longer line drawn before.
        self.stream.write("\r" + text.ljust(self._drawn))
        self._drawn = len(text)
        self.stream.flush()

    def _line(self, text: str) -> None:
        if self._drawn:
            self.stream.write("\r" + " " * self._drawn + "\r")
            self._drawn = 0

        self.stream.write(text + "\n")
        self.stream.flush()
