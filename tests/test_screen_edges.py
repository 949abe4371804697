"""Edge requests and descriptions, judged by a screen and by openapi-core alike.

Regression cases for the differential rule of ``test_screens.py``: inputs a
hunt for a screen's false yes tried, with what each side says of them.
"""

from __future__ import annotations

import copy
import json

import pytest
from werkzeug.datastructures import Headers

from mock_server.contract import ApiResponse, Contract
from mock_server.screens import response_screen
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
