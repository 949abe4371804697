"""The suite's HTTP client as Schemathesis's worker threads share it."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask, request

from conformance.client import ApiClient
from conformance.instants import from_now, has_passed
from mock_server import MockConfig, create_app
from mock_server.auth import DEFAULT_ADMIN_TOKEN
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


def test_a_resent_token_create_whose_expiry_has_passed_gets_a_fresh_one() -> None:
    with served(create_app(MockConfig())) as url:
        client = ApiClient(url, DEFAULT_ADMIN_TOKEN, timeout=5, prefix="run-")
        sent: list[dict[str, object]] = []
        client.recorders.append(lambda exchange: sent.append(exchange.json_request()))
        soon = from_now(timedelta(milliseconds=300))

        try:
            created = client.send(
                "POST",
                "/api/admin/service-account/2/token",
                body={"description": "deploy", "expiresAt": soon},
            )
            deadline = time.monotonic() + 5

            while not has_passed(soon) and time.monotonic() < deadline:
                time.sleep(0.01)

            again = client.resend(created)
        finally:
            client.close()

    assert (created.status, again.status) == (201, 201)
    renewed = datetime.fromisoformat(str(sent[1]["expiresAt"]))
    assert sent[1]["description"] == "run-deploy-again-1"
    assert timedelta(hours=23) < renewed - datetime.now(UTC) <= timedelta(days=1)


def test_a_resent_create_keeps_an_expiry_still_ahead() -> None:
    with served(create_app(MockConfig())) as url:
        client = ApiClient(url, DEFAULT_ADMIN_TOKEN, timeout=5, prefix="run-")
        sent: list[dict[str, object]] = []
        client.recorders.append(lambda exchange: sent.append(exchange.json_request()))
        body = {"description": "deploy", "expiresAt": "2099-01-01T00:00:00.000Z"}

        try:
            created = client.send(
                "POST", "/api/admin/service-account/2/token", body=body
            )
            again = client.resend(created)
        finally:
            client.close()

    assert (created.status, again.status) == (201, 201)
    assert sent == [
        body,
        {"description": "run-deploy-again-1", "expiresAt": "2099-01-01T00:00:00.000Z"},
    ]
