"""Where requests run: on the server's own loop thread, or on worker threads.

Only one thread runs Python at a time (CPython's GIL). waitress reads and
writes sockets on its loop thread and hands each request to a worker thread,
and that hand-off, the GIL passing between the two threads twice a request,
cost more than the mock's own work did. So a request runs on the loop thread
itself, after the loop has read it, and the hand-off never happens.

A request that waits on purpose (a delay fault) would stop the loop for every
other client while it waited. While any delay fault is in force, requests go
to worker threads instead, and a request that sleeps asks for a stand-in: one
more thread serves while it sleeps, and one fewer once it wakes, so a slow
answer never holds up the others.

The loop serves the requests it has read in rounds, and no response leaves
before its round ends (``server.py``). So what a request must have done before
its client hears back, and costs less done for many at once (writing the
journal), may be put off to the end of the round.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, MutableMapping
from typing import TYPE_CHECKING, Any, Protocol, cast

from waitress.task import ThreadedTaskDispatcher

if TYPE_CHECKING:
    from waitress.task import Task as WaitressTask

log = logging.getLogger("mock_server")

# Where a request finds, in its WSGI environ, how to sleep with a stand-in.
SLEEP_KEY = "unleash_mock.sleep"

# Where a request served on the loop thread finds how to put work off to the
# end of its round; a request on a worker thread finds nothing there.
ROUND_END_KEY = "unleash_mock.at_round_end"

DEFAULT_THREADS = 1


class Task(Protocol):
    """What waitress dispatches: a connection with requests ready to serve."""

    def service(self) -> None: ...

    def cancel(self) -> None: ...


class StandInDispatcher(ThreadedTaskDispatcher):
    """waitress's thread pool, grown by one thread for each sleeping request."""

    def __init__(self, threads: int = DEFAULT_THREADS) -> None:
        super().__init__()
        self._serving = threads
        self._sleeping = 0
        self._stopping = False
        self._count_lock = threading.Lock()
        self.set_thread_count(threads)

    def sleep(self, seconds: float) -> None:
        """Sleep while a stand-in thread serves in this one's place."""
        self._lend(1)

        try:
            time.sleep(seconds)
        finally:
            self._lend(-1)

    def shutdown(self, cancel_pending: bool = True, timeout: int = 5) -> bool:
        # A request waking after this must not start its thread again, or the
        # shutdown would wait its whole timeout for that thread.
        with self._count_lock:
            self._stopping = True

        return bool(super().shutdown(cancel_pending, timeout))

    def _lend(self, change: int) -> None:
        with self._count_lock:
            self._sleeping += change

            if not self._stopping:
                self.set_thread_count(self._serving + self._sleeping)


class LoopDispatcher:
    """Serves requests on the loop thread unless one of them may sleep.

    waitress calls ``add_task`` as a request arrives, from inside its loop and
    under its own locks, so a task only waits there; the loop calls
    ``run_waiting`` once a round of reading is done. ``sleeps_possible`` says
    whether a delay fault is in force. While one is, or while the worker
    threads are still busy with earlier requests, requests go to the threads:
    the state then changes on one thread at a time, as before.
    """

    def __init__(
        self, sleeps_possible: Callable[[], bool], threads: int = DEFAULT_THREADS
    ) -> None:
        self.pool = StandInDispatcher(threads)
        self._sleeps_possible = sleeps_possible
        self._waiting: deque[Task] = deque()
        self._pooled = 0
        self._pooled_lock = threading.Lock()
        # The thread serving a request inline now, if any: the loop thread.
        self._inline_thread: int | None = None
        self._stop_requested = False
        # Keyed by the work itself: asked for by many requests, done once.
        self._at_round_end: dict[Callable[[], None], None] = {}

    @property
    def has_waiting(self) -> bool:
        return bool(self._waiting)

    @property
    def serving_inline(self) -> bool:
        """Whether the calling thread is the loop thread, serving a request."""
        return self._inline_thread == threading.get_ident()

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested

    def at_round_end(self, work: Callable[[], None]) -> None:
        """Do ``work`` after this round's requests, before their responses leave."""
        self._at_round_end[work] = None

    def add_task(self, task: Task) -> None:
        self._waiting.append(task)

    def run_waiting(self) -> None:
        """Serve every request the loop has read so far: one round."""
        try:
            self._serve_round()
        finally:
            self._end_round()

    def _serve_round(self) -> None:
        while self._waiting:
            task = self._waiting.popleft()

            if self._pooled or self._sleeps_possible():
                self._to_pool(task)
                continue

            self._inline_thread = threading.get_ident()

            try:
                task.service()
            except Exception as error:
                # waitress answers an app's failure itself; this is a failure of
                # waitress's own, and the loop must go on serving the others.
                # Named, not traced: a trace could quote the request.
                log.error("Serving a request failed: %s", type(error).__name__)
            finally:
                self._inline_thread = None

            # The requests still waiting are cancelled at shutdown.
            if self._stop_requested:
                return

    def _end_round(self) -> None:
        while self._at_round_end:
            work = next(iter(self._at_round_end))
            del self._at_round_end[work]

            try:
                work()
            except Exception as error:
                log.error("Ending a round failed: %s", type(error).__name__)

    def stop(self) -> None:
        """Ask the loop to stop once the request being served, if any, is answered.

        Only a flag, safe in a signal handler: the loop checks it between
        rounds (``MockServer.serve``), so a stop never cuts a request, the end
        of its round or the sending of its response short.
        """
        self._stop_requested = True

    def sleep(self, seconds: float) -> None:
        self.pool.sleep(seconds)

    def shutdown(self, cancel_pending: bool = True, timeout: int = 5) -> bool:
        while self._waiting:
            self._waiting.popleft().cancel()

        return bool(self.pool.shutdown(cancel_pending, timeout))

    def _to_pool(self, task: Task) -> None:
        with self._pooled_lock:
            self._pooled += 1

        # The pool asks a task for service and cancel only, as for ours.
        self.pool.add_task(cast("WaitressTask", _Pooled(task, self._pooled_done)))

    def _pooled_done(self) -> None:
        with self._pooled_lock:
            self._pooled -= 1


class _Pooled:
    """A task on a worker thread, counted until it is served or cancelled."""

    def __init__(self, task: Task, done: Callable[[], None]) -> None:
        self._task = task
        self._done = done

    def service(self) -> None:
        try:
            self._task.service()
        finally:
            self._done()

    def cancel(self) -> None:
        try:
            self._task.cancel()
        finally:
            self._done()


def sleep_with_stand_in(environ: MutableMapping[str, Any], seconds: float) -> None:
    """Sleep for a request, with a stand-in if its server offers one."""
    sleep: Callable[[float], None] = environ.get(SLEEP_KEY, time.sleep)
    sleep(seconds)
