"""Fixtures shared by the tests: an app with a fixed clock and a test client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_server import MockConfig, create_app
from mock_server.auth import DEFAULT_ADMIN_TOKEN
from tests.matchers import ADMIN_HEADERS

START = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)


class FakeClock:
    """A clock that only moves when a test moves it."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def seed() -> dict[str, Any] | None:
    """The fixture the app starts from; tests override this to start elsewhere."""
    return None


@pytest.fixture
def app(clock: FakeClock, seed: dict[str, Any] | None) -> Flask:
    app = create_app(MockConfig(seed=seed, clock=clock, response_violations="raise"))
    app.testing = True
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Api:
    """Short calls for arranging state, each asserting it succeeded."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def create_account(
        self, username: str = "ci-bot", name: str = "CI bot", root_role: int = 1
    ) -> dict[str, Any]:
        response = self.client.post(
            "/api/admin/service-account",
            json={"username": username, "name": name, "rootRole": root_role},
            headers=ADMIN_HEADERS,
        )
        assert response.status_code == 201, response.get_json()
        body: dict[str, Any] = response.get_json()
        return body

    def create_token(
        self,
        account_id: int,
        description: str = "ci",
        expires_at: str = "2030-01-01T00:00:00.000Z",
    ) -> dict[str, Any]:
        response = self.client.post(
            f"/api/admin/service-account/{account_id}/token",
            json={"description": description, "expiresAt": expires_at},
            headers=ADMIN_HEADERS,
        )
        assert response.status_code == 201, response.get_json()
        body: dict[str, Any] = response.get_json()
        return body

    def list_accounts(self) -> dict[str, Any]:
        response = self.client.get("/api/admin/service-account", headers=ADMIN_HEADERS)
        assert response.status_code == 200, response.get_json()
        body: dict[str, Any] = response.get_json()
        return body


@pytest.fixture
def api(client: FlaskClient) -> Api:
    return Api(client)


__all__ = ["DEFAULT_ADMIN_TOKEN", "START", "Api", "FakeClock"]
