"""Edge requests and descriptions, judged by a screen and by openapi-core alike.

Regression cases for the differential rule of ``test_screens.py``: inputs a
hunt for a screen's false yes tried, with what each side says of them.
"""

from __future__ import annotations

import copy
import json

import pytest
from openapi_schema_validator import OAS30WriteValidator
from werkzeug.datastructures import Headers

from mock_server.contract import ApiResponse, Contract
from mock_server.screens import Translation, compiled, request_screen, response_screen
from tests.test_screens import (
    ADMIN,
    DOCUMENT,
    call_of,
    openapi_core_accepts_request,
    screen_passes_request,
)


def test_a_response_documented_with_empty_content_is_left_to_openapi_core() -> None:
    document = copy.deepcopy(DOCUMENT)
    deleted = document["paths"]["/api/admin/service-account/{id}"]["delete"]
    deleted["responses"]["200"]["content"] = {}
    contract = Contract(document)
    call = call_of("deleteServiceAccount", Headers({"Authorization": ADMIN}), None)

    screen = response_screen(
        contract.document, "/api/admin/service-account/{id}", "delete"
    )
    violations = contract.check_response(call, ApiResponse(200, Headers(), "", b""))

    assert screen is None
    assert violations == ["MissingData: Missing response data"]


JSON_HEADERS = {"Authorization": ADMIN, "Content-Type": "application/json"}
ACCOUNT_BODY = b'{"username": "bot", "name": "Bot", "rootRole": 2}'


def _token_body(expires_at: str) -> bytes:
    return json.dumps({"description": "ci", "expiresAt": expires_at}).encode()


@pytest.mark.parametrize(
    ("operation_id", "headers", "raw", "screened", "accepted"),
    [
        pytest.param(
            "createServiceAccount",
            {"Authorization": ADMIN, "Content-Type": "Application/JSON; charset=x"},
            ACCOUNT_BODY,
            True,
            True,
            id="content-type-with-parameters-and-capitals",
        ),
        pytest.param(
            "createServiceAccount",
            {"Authorization": "", "Content-Type": "application/json"},
            ACCOUNT_BODY,
            True,
            True,
            id="empty-authorization-left-to-the-authenticator",
        ),
        pytest.param(
            "createServiceAccount",
            JSON_HEADERS,
            b'{"username": "bot", "name": "Bot", "rootRole": 2, "rootRole": "2"}',
            False,
            False,
            id="duplicate-key-last-one-wins",
        ),
        pytest.param(
            "createServiceAccount",
            JSON_HEADERS,
            b'{"username": "b\\u0000t", "name": "\\ud83d\\ude00", "rootRole": 2}',
            True,
            True,
            id="nul-and-surrogate-pair-in-strings",
        ),
        pytest.param(
            "createServiceAccount",
            JSON_HEADERS,
            b'{"username": "bot", "name": "Bot", "rootRole": 1e2}',
            False,
            False,
            id="exponent-integer-is-a-float",
        ),
        pytest.param(
            "createServiceAccount",
            JSON_HEADERS,
            b'{"username": "bot", "name": "Bot", "rootRole": 100000000000000000000000}',
            True,
            True,
            id="integer-beyond-64-bits",
        ),
        pytest.param(
            "createServiceAccount",
            JSON_HEADERS,
            b"\xef\xbb\xbf" + ACCOUNT_BODY,
            False,
            False,
            id="byte-order-mark",
        ),
        pytest.param(
            "createServiceAccountToken",
            JSON_HEADERS,
            _token_body("2024-02-29T23:59:59.999999999+23:59"),
            False,
            True,
            id="leap-day-left-to-openapi-core",
        ),
        pytest.param(
            "createServiceAccountToken",
            JSON_HEADERS,
            _token_body("2030-01-01T24:00:00Z"),
            False,
            False,
            id="hour-24",
        ),
        pytest.param(
            "createServiceAccountToken",
            JSON_HEADERS,
            _token_body("2030-01-01T00:00:00Z\n"),
            False,
            True,
            id="date-time-with-trailing-newline-left-to-openapi-core",
        ),
        pytest.param(
            "updateServiceAccount",
            JSON_HEADERS,
            b'{"name": null}',
            False,
            False,
            id="null-for-a-non-nullable-field",
        ),
        pytest.param(
            "getServiceAccounts",
            {"Authorization": ADMIN, "Content-Type": "text/plain"},
            b"not json",
            True,
            True,
            id="body-on-an-operation-that-takes-none",
        ),
    ],
)
def test_the_screen_and_openapi_core_judge_edge_requests_alike(
    operation_id: str,
    headers: dict[str, str],
    raw: bytes,
    screened: bool,
    accepted: bool,
) -> None:
    passed = screen_passes_request(operation_id, Headers(headers), raw)

    assert passed is screened
    assert openapi_core_accepts_request(operation_id, Headers(headers), raw) is accepted


def test_a_schema_jsonschema_rs_refuses_leaves_its_operation_to_openapi_core() -> None:
    document = copy.deepcopy(DOCUMENT)
    schemas = document["components"]["schemas"]
    schemas["createServiceAccountSchema"]["required"] = []

    screen = request_screen(document, "/api/admin/service-account", "post")

    assert screen is None


def test_a_format_check_that_breaks_is_no_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(value: object) -> bool:
        raise ZeroDivisionError

    checkers = OAS30WriteValidator.FORMAT_CHECKER.checkers
    monkeypatch.setitem(checkers, "uuid", (broken, ()))
    check = compiled(
        {"type": "string", "format": "uuid"}, translation_of(DOCUMENT), True
    )

    assert check("6f1c2f0e-4d3a-4b8e-9a7e-2b1f3c4d5e6f") is False


@pytest.mark.parametrize(
    "data",
    [pytest.param(b"", id="empty"), pytest.param(b"{", id="broken")],
)
def test_a_documented_json_body_that_is_not_json_is_left_to_openapi_core(
    data: bytes,
) -> None:
    screen = response_screen(DOCUMENT, "/api/admin/service-account", "get")
    assert screen is not None

    passed = screen.passes(200, Headers(), "application/json", lambda: json.loads(data))

    assert passed is False


def translation_of(document: dict[str, object]) -> Translation:
    return Translation(document, frozenset(OAS30WriteValidator.FORMAT_CHECKER.checkers))
