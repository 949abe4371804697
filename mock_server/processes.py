"""Serving from several processes that share one port and one state.

A Python process serves one request at a time, on one core (``threads.py``).
With ``--processes N`` the mock binds its port once and forks N processes that
each take connections from it. Each has its own connection to one SQLite
state file, so accounts, tokens, the journal and the faults stay one state: a
request sees every change any process committed before it began
(``database.py``).

The children are forked after the description is loaded and its checks are
compiled, and those are frozen out of the garbage collector's walks first, so
the children share most of their pages instead of each holding a copy.
"""

from __future__ import annotations

import logging
import multiprocessing
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import wait
from pathlib import Path
from typing import TYPE_CHECKING

from mock_server.server import STOP_SIGNALS, freeze_start_up_objects

if TYPE_CHECKING:
    from multiprocessing.context import ForkProcess

    from mock_server.server import MockServer

log = logging.getLogger("mock_server")

# Shared memory where the system has it: the state of a run is not meant to
# outlive it, and there a commit never waits for a disk.
_TEMPORARY_ROOT = Path("/dev/shm")


def can_fork() -> bool:
    """Whether this system can serve from several processes."""
    return "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def temporary_state_file() -> Iterator[Path]:
    """A state file for one run, removed with its folder when the run ends."""
    root = _TEMPORARY_ROOT if _TEMPORARY_ROOT.is_dir() else None
    folder = Path(tempfile.mkdtemp(prefix="unleash-mock-", dir=root))

    try:
        yield folder / "state.sqlite"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def serve_forked(count: int, start: Callable[[], MockServer]) -> int:
    """Serve from ``count`` forked processes until they stop; the exit status.

    ``start`` runs in each child and returns the server it serves with.
    SIGTERM, SIGHUP or Ctrl-C stops every child once its request in flight is
    answered; a child that stops on its own stops the others, and the status
    is 1.
    """
    freeze_start_up_objects()
    context = multiprocessing.get_context("fork")
    children = [
        context.Process(target=_serve, args=(start,), name=f"server {number}")
        for number in range(1, count + 1)
    ]
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

        for child in children:
            if child.is_alive():
                child.terminate()

    # A stop signal between two forks would leave the children started so far
    # serving with no parent, so the signals wait until the handlers are in.
    # The children are forked with them blocked and take them once their own
    # handlers are in (MockServer.serve).
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)

    try:
        for child in children:
            child.start()

        for stop_signal in STOP_SIGNALS:
            signal.signal(stop_signal, stop)
    except BaseException:
        stop()
        raise
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    failed = _wait_for_all(children, stop, lambda: stopping)
    return 1 if failed else 0


def _serve(start: Callable[[], MockServer]) -> None:
    start().serve(freeze=False)


def _wait_for_all(
    children: list[ForkProcess],
    stop: Callable[[], None],
    stopping: Callable[[], bool],
) -> bool:
    """Wait until every child has exited; whether one failed on its own."""
    running = list(children)
    failed = False

    while running:
        wait([child.sentinel for child in running])

        for child in [child for child in running if not child.is_alive()]:
            running.remove(child)

            # Even a clean exit: a child stops only when the mock does.
            if not stopping():
                log.error(
                    "The %s process stopped with status %s; stopping the others.",
                    child.name,
                    child.exitcode,
                )
                failed = True
                stop()

    return failed
