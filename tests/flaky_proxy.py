"""A TCP proxy on 127.0.0.1 that lets a served mock down the way networks do.

It pipes each client connection to the mock and can drop a connection instead
of passing on an answer, or stop answering altogether, as a crashed server or a
broken load balancer would. It counts answers by their status lines, which is
enough for the mock's small JSON bodies.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

STATUS_LINE = b"HTTP/1.1 "


@dataclass
class Faults:
    """What the proxy does wrong.

    ``drop_every`` drops a connection instead of passing on every n-th answer
    it carries; ``dies_after`` stops the proxy for good that many seconds after
    it started, refusing and cutting every connection.
    """

    drop_every: int = 0
    dies_after: float | None = None
    dropped: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


@contextmanager
def flaky_proxy(upstream_url: str, faults: Faults) -> Iterator[str]:
    """Serve the proxy on a free port; yield its base URL."""
    upstream = urlsplit(upstream_url)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    port = listener.getsockname()[1]
    started = time.monotonic()
    stop = threading.Event()
    open_sockets: list[socket.socket] = []

    def dead() -> bool:
        expired = faults.dies_after is not None and (
            time.monotonic() - started > faults.dies_after
        )
        return stop.is_set() or expired

    def accept() -> None:
        while not dead():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue

            server = socket.create_connection((upstream.hostname, upstream.port))
            open_sockets.extend((client, server))

            # Set before either pipe starts: one may close both sockets before
            # the other runs at all.
            for end in (client, server):
                end.settimeout(0.05)

            for source, target, answers in (
                (client, server, False),
                (server, client, True),
            ):
                threading.Thread(
                    target=pipe, args=(source, target, answers), daemon=True
                ).start()

        listener.close()

        for each in open_sockets:
            _close(each)

    def pipe(source: socket.socket, target: socket.socket, answers: bool) -> None:
        answered = 0

        while not dead():
            try:
                data = source.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break

            if not data:
                break

            if answers and faults.drop_every:
                answered += data.count(STATUS_LINE)

                if answered >= faults.drop_every:
                    with faults._lock:
                        faults.dropped += 1

                    break

            try:
                target.sendall(data)
            except OSError:
                break

        _close(source)
        _close(target)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()

    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        thread.join(timeout=5)


def _close(connection: socket.socket) -> None:
    with suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)

    connection.close()
