"""A mock served over a real socket on 127.0.0.1, for socket-level tests.

``served`` runs an app inside the test process; ``mock_process`` runs
``unleash-mock`` as its own process, as a user would.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests
from flask import Flask
from waitress import wasyncore
from waitress.server import BaseWSGIServer, create_server


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """Serve ``app`` with waitress on a free port; yield its base URL."""
    channels: dict[int, Any] = {}
    server = create_server(app, map=channels, host="127.0.0.1", port=0, threads=8)
    assert isinstance(server, BaseWSGIServer)
    assert server.socket is not None
    port = server.socket.getsockname()[1]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()

    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        # Closing every channel, kept-alive ones included, ends the loop at once.
        # The loop's own thread closes them: closed from here, a socket could
        # vanish under the select() the loop is waiting in, which then fails
        # with EBADF in the server thread.
        server.task_dispatcher.shutdown()

        # The loop may run the closing before the wake-up byte is written, if
        # it is awake already; the write then finds the trigger closed.
        with contextlib.suppress(OSError):
            # types-waitress declares the trigger an int; it is waitress's.
            server.trigger.pull_trigger(  # type: ignore[attr-defined]
                lambda: wasyncore.close_all(channels)
            )

        thread.join(timeout=5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Running:
    base_url: str
    process: subprocess.Popen[str] | None = None
    stdout: str = ""
    stderr: str = ""

    def kill(self) -> None:
        """End the server the hard way, as a crash or ``kill -9`` would."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


@contextmanager
def mock_process(*arguments: str) -> Iterator[Running]:
    port = free_port()
    # Files, not pipes: a pipe nobody reads fills up with log lines and then
    # blocks the server mid-request.
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "mock_server", "--port", str(port), *arguments],
            stdout=stdout,
            stderr=stderr,
            text=True,
        )
        running = Running(f"http://127.0.0.1:{port}", process)

        try:
            _wait_for(running.base_url)
            yield running
        finally:
            if process.poll() is None:
                process.terminate()

            process.wait(timeout=10)
            stdout.seek(0)
            stderr.seek(0)
            running.stdout, running.stderr = stdout.read(), stderr.read()


def _wait_for(base_url: str) -> None:
    deadline = time.monotonic() + 15

    while time.monotonic() < deadline:
        try:
            requests.get(f"{base_url}/api/admin/service-account", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.05)

    raise AssertionError(f"the mock did not start on {base_url}")
