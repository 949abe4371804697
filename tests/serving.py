"""A mock served over a real socket on 127.0.0.1, for socket-level tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

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
        server.task_dispatcher.shutdown()
        wasyncore.close_all(channels)
        thread.join(timeout=5)
