"""A mock served over a real socket on 127.0.0.1, for socket-level tests.

``served`` runs an app inside the test process; ``mock_process`` runs
``unleash-mock`` as its own process, as a user would.
"""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import Flask
from waitress.server import BaseWSGIServer

from mock_server.control.faults import delays_in_force
from mock_server.server import create_mock_server
from mock_server.threads import DEFAULT_THREADS
from tests.matchers import ADMIN_HEADERS


@contextmanager
def served(
    app: Flask, threads: int = DEFAULT_THREADS, *, sleeps: bool = False
) -> Iterator[str]:
    """Serve ``app`` as ``unleash-mock`` does, on a free port; yield its base URL.

    A mock's requests sleep only for its delay faults. Any other app, or one
    that ``sleeps`` in a wrapper of its own, may sleep in any request, so its
    requests all go to worker threads.
    """
    sessions = app.extensions.get("unleash_mock")
    server = create_mock_server(
        app,
        (
            (lambda: delays_in_force(sessions.database))
            if sessions and not sleeps
            else (lambda: True)
        ),
        threads,
        host="127.0.0.1",
        port=0,
    )
    assert isinstance(server.waitress, BaseWSGIServer)
    assert server.waitress.socket is not None
    port = server.waitress.socket.getsockname()[1]
    stopping = threading.Event()

    def serve() -> None:
        try:
            while not stopping.is_set():
                server.poll_once(0.05)
        finally:
            # Sockets are closed by the thread that polls them: closed from
            # another thread, one could vanish under a running select.
            server.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stopping.set()
        thread.join(timeout=10)


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
def mock_process(*arguments: str, own_group: bool = False) -> Iterator[Running]:
    """``unleash-mock`` as its own process; ``own_group`` puts it and the
    processes it forks in a process group of their own, as a terminal would,
    for a test to signal them all."""
    port = free_port()
    # Files, not pipes: a pipe nobody reads fills up with log lines and then
    # blocks the server mid-request.
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "mock_server", "--port", str(port), *arguments],
            stdout=stdout,
            stderr=stderr,
            text=True,
            process_group=0 if own_group else None,
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


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def raw_request(
    method: str,
    target: bytes,
    headers: Sequence[tuple[bytes, bytes]] = (),
    body: bytes = b"",
) -> bytes:
    """The bytes of one HTTP/1.1 request, written exactly as given."""
    lines = [method.encode() + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1"]
    lines += [name + b": " + value for name, value in headers]

    if body and not any(name.lower() == b"transfer-encoding" for name, _ in headers):
        lines.append(b"Content-Length: " + str(len(body)).encode())

    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def send_raw(base_url: str, request: bytes) -> RawResponse:
    """Send request bytes no HTTP client would write, and read the answer.

    A server may answer and close before it has read everything, as it does
    for headers past its limit, so a refused send still leaves an answer.
    """
    address = urlsplit(base_url)
    assert address.hostname is not None
    assert address.port is not None

    with socket.create_connection((address.hostname, address.port), 10) as wire:
        with suppress(BrokenPipeError, ConnectionResetError):
            wire.sendall(request)

        response = http.client.HTTPResponse(wire)
        response.begin()
        return RawResponse(response.status, response.getheaders(), response.read())


def list_slowly(url: str, latency_ms: int) -> tuple[threading.Thread, list[int]]:
    """Put a delay fault on the list, then list in the background.

    The thread appends the status it gets to the list returned with it.
    """
    requests.post(
        url + "/__mock/faults",
        json={"operation": "getServiceAccounts", "latencyMs": latency_ms},
        timeout=5,
    ).raise_for_status()
    statuses: list[int] = []
    listing = threading.Thread(
        target=lambda: statuses.append(
            requests.get(
                url + "/api/admin/service-account", headers=ADMIN_HEADERS, timeout=10
            ).status_code
        )
    )
    listing.start()
    return listing, statuses
