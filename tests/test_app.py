"""The app factory: routes from the description, and its own contract checks."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import yaml

from mock_server import MockConfig, create_app
from mock_server.description import DESCRIPTION_PATH
from mock_server.errors import StartupError
from mock_server.handlers import Call, Reply
from mock_server.refusals import ContractViolation
from tests.conftest import FakeClock
from tests.matchers import ADMIN_HEADERS, error_body

ACCOUNTS = "/api/admin/service-account"


def broken_list(call: Call) -> Reply:
    return Reply(200, {"serviceAccounts": [{"id": "seven"}], "extra": True})


def test_every_operation_of_the_description_has_a_route(clock: FakeClock) -> None:
    app = create_app(MockConfig(seed=None, clock=clock))

    endpoints = {
        rule.endpoint: (
            rule.rule,
            sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}),
        )
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        and not rule.endpoint.startswith("docs.")
        and not rule.rule.startswith("/__mock")
    }

    assert endpoints == {
        "getServiceAccounts": (ACCOUNTS, ["GET"]),
        "createServiceAccount": (ACCOUNTS, ["POST"]),
        "updateServiceAccount": (f"{ACCOUNTS}/<id>", ["PUT"]),
        "deleteServiceAccount": (f"{ACCOUNTS}/<id>", ["DELETE"]),
        "getServiceAccountTokens": (f"{ACCOUNTS}/<id>/token", ["GET"]),
        "createServiceAccountToken": (f"{ACCOUNTS}/<id>/token", ["POST"]),
        "deleteServiceAccountToken": (f"{ACCOUNTS}/<id>/token/<tokenId>", ["DELETE"]),
    }


def test_an_operation_without_a_handler_stops_start_up(tmp_path: Path) -> None:
    document = yaml.safe_load(DESCRIPTION_PATH.read_text())
    document["paths"]["/api/admin/service-account/{id}"]["get"] = {
        "operationId": "getServiceAccount",
        "responses": {"200": {"description": "One account."}},
    }
    description = tmp_path / "description.yaml"
    description.write_text(yaml.safe_dump(document))

    with pytest.raises(StartupError) as raised:
        create_app(MockConfig(description_path=description))

    assert str(raised.value) == (
        "The description declares operations with no handler: "
        "['getServiceAccount']. Add a handler for each in mock_server/handlers.py."
    )


def test_a_missing_description_stops_start_up(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"

    with pytest.raises(StartupError) as raised:
        create_app(MockConfig(description_path=missing))

    assert str(raised.value) == (
        f"Cannot read the OpenAPI description '{missing}': No such file or directory."
    )


def test_a_served_mock_answers_500_naming_its_own_contract_violation(
    monkeypatch: pytest.MonkeyPatch, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(
        __import__("mock_server.handlers").handlers.HANDLERS,
        "getServiceAccounts",
        broken_list,
    )
    client = create_app(MockConfig(seed=None, clock=clock)).test_client()

    with caplog.at_level(logging.ERROR, logger="mock_server"):
        response = client.get(ACCOUNTS, headers=ADMIN_HEADERS)

    assert response.status_code == 500
    assert response.get_json() == error_body(
        "ContractViolationError",
        "The mock's response to getServiceAccounts broke the OpenAPI description; "
        "this is a bug in the mock. Details list each violation.",
        [
            {
                "message": "response body at /: Additional properties are not "
                "allowed ('extra' was unexpected); response body at "
                "/serviceAccounts/0/id: 'seven' is not of type 'number'"
            }
        ],
    )
    assert "getServiceAccounts broke the OpenAPI description" in caplog.text


def test_a_mock_under_test_raises_on_its_own_contract_violation(
    monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    monkeypatch.setitem(
        __import__("mock_server.handlers").handlers.HANDLERS,
        "getServiceAccounts",
        broken_list,
    )
    app = create_app(MockConfig(seed=None, clock=clock, response_violations="raise"))

    with pytest.raises(ContractViolation):
        app.test_client().get(ACCOUNTS, headers=ADMIN_HEADERS)


def test_an_unexpected_failure_answers_500_without_internals(
    monkeypatch: pytest.MonkeyPatch, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(call: Call) -> Reply:
        raise KeyError("secret internals")

    monkeypatch.setitem(
        __import__("mock_server.handlers").handlers.HANDLERS,
        "getServiceAccounts",
        explode,
    )
    client = create_app(MockConfig(seed=None, clock=clock)).test_client()

    with caplog.at_level(logging.ERROR, logger="mock_server"):
        response = client.get(ACCOUNTS, headers=ADMIN_HEADERS)

    assert response.status_code == 500
    assert response.get_json() == error_body(
        "InternalError", "The mock failed to handle this request."
    )
    assert caplog.messages == ["GET /api/admin/service-account failed: KeyError"]


def test_each_request_is_logged_once_without_its_token(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    client = create_app(MockConfig(seed=None, clock=clock)).test_client()

    with caplog.at_level(logging.INFO, logger="mock_server.requests"):
        client.get(f"{ACCOUNTS}?token=hidden", headers=ADMIN_HEADERS).close()
        client.get("/api/admin/%0Afake-line").close()
        client.get(f"{ACCOUNTS}/%D9%A2/token").close()

    lines = [record.getMessage() for record in caplog.records]
    assert [line.rsplit(" ", 1)[0] for line in lines] == [
        "GET /api/admin/service-account 200",
        "GET /api/admin/%0Afake-line 404",
        "GET /api/admin/service-account/%D9%A2/token 401",
    ]
    assert all(line.endswith("ms") for line in lines)
    assert "unleash-insecure-admin-api-token" not in caplog.text
    assert "hidden" not in caplog.text
