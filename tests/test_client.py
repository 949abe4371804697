"""The suite's HTTP client as Schemathesis's worker threads share it."""

from __future__ import annotations

import threading

import pytest
from flask import Flask, request

from conformance.client import ApiClient
from tests.serving import served

pytestmark = pytest.mark.socket


def port_echo() -> Flask:
    """An app that answers with the client port the request came from."""
    app = Flask(__name__)

    @app.get("/port")
    def port() -> str:
        return str(request.environ["REMOTE_PORT"])

    return app


def test_each_thread_sends_over_a_connection_of_its_own() -> None:
    ports: list[str] = []

    with served(port_echo()) as url:
        client = ApiClient(url, "token", timeout=5)

        def send_twice() -> None:
            for _ in range(2):
                ports.append(client.send("GET", "/port", checked=False).text)

        try:
            for _ in range(2):
                # One after the other: a pool shared by the threads would hand
                # the second thread the connection the first one left open.
                thread = threading.Thread(target=send_twice)
                thread.start()
                thread.join()
        finally:
            client.close()

    first, second = ports[:2], ports[2:]
    assert first[0] == first[1]
    assert second[0] == second[1]
    assert first[0] != second[0]
