"""The server's worker threads: as few as keep requests moving.

Only one thread runs Python at a time (CPython's GIL). Several worker threads
busy at once hand it back and forth in the middle of requests, and under
load that cost the mock a third of its throughput; one thread serves the
same requests faster. A thread is only worth having while another waits, so
a request that waits on purpose (a delay fault) asks for a stand-in: one more
thread serves while it sleeps, and one fewer once it wakes, so a slow answer
never holds up the others.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, MutableMapping
from typing import Any

from waitress.task import ThreadedTaskDispatcher

# Where a request finds, in its WSGI environ, how to sleep with a stand-in.
SLEEP_KEY = "unleash_mock.sleep"

DEFAULT_THREADS = 1


class StandInDispatcher(ThreadedTaskDispatcher):
    """waitress's thread pool, grown by one thread for each sleeping request."""

    def __init__(self, threads: int = DEFAULT_THREADS) -> None:
        super().__init__()
        self._serving = threads
        self._sleeping = 0
        self._count_lock = threading.Lock()
        self.set_thread_count(threads)

    def sleep(self, seconds: float) -> None:
        """Sleep while a stand-in thread serves in this one's place."""
        self._lend(1)

        try:
            time.sleep(seconds)
        finally:
            self._lend(-1)

    def _lend(self, change: int) -> None:
        with self._count_lock:
            self._sleeping += change
            self.set_thread_count(self._serving + self._sleeping)


def sleep_with_stand_in(environ: MutableMapping[str, Any], seconds: float) -> None:
    """Sleep for a request, with a stand-in if its server offers one."""
    sleep: Callable[[float], None] = environ.get(SLEEP_KEY, time.sleep)
    sleep(seconds)
