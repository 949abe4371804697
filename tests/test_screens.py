"""The compiled screens never pass what openapi-core refuses, and do pass the mock.

A screen's yes is final, so every input a screen passes is also put to
openapi-core here, which must find nothing wrong with it. The inputs are
generated near the description's edges: valid bodies with one field swapped
for a value of another type, a date-time RFC 3339 does not allow, a huge
number, a missing key.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import Headers, MultiDict

from mock_server.contract import ApiCall, ApiResponse, Contract, api_call
from mock_server.description import load_description, operations_of
from mock_server.screens import (
    RequestScreen,
    ResponseScreen,
    request_screen,
    response_screen,
)

DOCUMENT = load_description()
CONTRACT = Contract(DOCUMENT)
OPERATIONS = {op.operation_id: op for op in operations_of(DOCUMENT)}
ADMIN = "*:*.unleash-insecure-admin-api-token"
IDS = {"id": "7", "tokenId": "3"}

ACCOUNT = {
    "id": 7,
    "username": "deploy-bot",
    "name": "Deploy bot",
    "imageUrl": "https://gravatar.com/avatar/1?s=42&d=retro&r=g",
    "rootRole": 2,
    "createdAt": "2026-12-01T12:00:00.000Z",
    "tokens": [],
}
TOKEN = {
    "id": 3,
    "description": "pipeline",
    "expiresAt": "2030-01-01T00:00:00.000Z",
    "createdAt": "2026-12-01T12:00:00.000Z",
    "seenAt": None,
}
ERROR = {"id": "3c9d", "name": "NotFoundError", "message": "Not found."}

# Requests the mock's own users send, which the screens must pass.
VALID_REQUESTS: dict[str, dict[str, Any]] = {
    "createServiceAccount": {"username": "bot", "name": "Bot", "rootRole": 2},
    "updateServiceAccount": {"name": "Bot", "rootRole": 1},
    "createServiceAccountToken": {
        "description": "ci",
        "expiresAt": "2030-01-01T00:00:00.000Z",
    },
}

DATE_TIMES = st.one_of(
    st.sampled_from(
        [
            "2026-12-31T23:59:60Z",
            "0000-01-01T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-12-01t12:00:00z",
            "2026-12-01T12:00:00",
            "2026-12-01T12:00:00+24:00",
            "2026-12-01 12:00:00Z",
            "2026-12-01T12:00:00.Z",
            "2026-12-01",
            "2026-02-29T00:00:00Z",
            "2024-02-29T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-12-01T12:00:00.1234567890Z",
            "",
        ]
    ),
    st.from_regex(
        r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}"
        r"(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})?\Z"
    ),
)
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.sampled_from([1.0, -0.0, 1e308, 2**64, 10**400, "1", "", "x" * 300]),
    st.text(max_size=20),
    DATE_TIMES,
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def edited(base: dict[str, Any]) -> st.SearchStrategy[Any]:
    """The base with some keys dropped, changed or added, or another JSON value."""
    keys = st.sampled_from([*base, "extra", "secret", "tokens", "id"])
    return st.one_of(
        st.builds(
            _edit,
            st.just(base),
            st.dictionaries(keys, ODD_VALUES, max_size=3),
            st.lists(st.sampled_from(list(base)), max_size=2),
        ),
        ODD_VALUES,
    )


def _edit(base: dict[str, Any], changes: dict[str, Any], dropped: list[str]) -> Any:
    body = {**base, **changes}

    for key in dropped:
        body.pop(key, None)

    return body


def screens(operation_id: str) -> tuple[RequestScreen, ResponseScreen]:
    operation = OPERATIONS[operation_id]
    requests = request_screen(CONTRACT.document, operation.path, operation.method)
    responses = response_screen(CONTRACT.document, operation.path, operation.method)
    assert requests is not None
    assert responses is not None
    return requests, responses


def call_of(operation_id: str, headers: Headers, body: bytes | None) -> ApiCall:
    operation = OPERATIONS[operation_id]
    path = operation.path.replace("{id}", IDS["id"]).replace(
        "{tokenId}", IDS["tokenId"]
    )
    return api_call(
        host_url="http://localhost/",
        path=path,
        method=operation.method,
        headers=headers,
        path_arguments={
            name: value for name, value in IDS.items() if "{" + name in operation.path
        },
        query=MultiDict(),
        body=body,
        path_pattern=operation.path,
    )


def openapi_core_accepts_request(
    operation_id: str, headers: Headers, raw: bytes
) -> bool:
    findings = CONTRACT.check_request(call_of(operation_id, headers, raw))
    return not (
        findings.credentials_missing
        or findings.media_type_unsupported
        or findings.bad_data
    )


def screen_passes_request(
    operation_id: str, headers: Headers, raw: bytes | None
) -> bool:
    screen, _ = screens(operation_id)
    path_arguments = call_of(operation_id, headers, raw).parameters.path
    passed, _ = screen.passes(headers, path_arguments, headers.get("Content-Type"), raw)
    return passed


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_every_operation_of_the_description_has_both_screens(operation_id: str) -> None:
    requests, responses = screens(operation_id)

    assert isinstance(requests, RequestScreen)
    assert isinstance(responses, ResponseScreen)


@pytest.mark.parametrize("operation_id", sorted(VALID_REQUESTS))
def test_a_valid_request_passes_the_screen_and_openapi_core(operation_id: str) -> None:
    headers = Headers({"Authorization": ADMIN, "Content-Type": "application/json"})
    raw = json.dumps(VALID_REQUESTS[operation_id]).encode()

    screened = screen_passes_request(operation_id, headers, raw)

    assert screened is True
    assert openapi_core_accepts_request(operation_id, headers, raw) is True


@pytest.mark.parametrize(
    ("headers", "raw"),
    [
        pytest.param({"Content-Type": "application/json"}, b"{}", id="no-credential"),
        pytest.param({"Authorization": ADMIN}, b"{}", id="no-content-type"),
        pytest.param(
            {"Authorization": ADMIN, "Content-Type": "text/plain"},
            b"{}",
            id="text-plain",
        ),
        pytest.param(
            {"Authorization": ADMIN, "Content-Type": "application/json"},
            b"",
            id="empty-body",
        ),
        pytest.param(
            {"Authorization": ADMIN, "Content-Type": "application/json"},
            b'{"username": "a", "rootRole": NaN}',
            id="not-json",
        ),
        pytest.param(
            {"Authorization": ADMIN, "Content-Type": "application/json"},
            b'{"username": "a", "rootRole": 1.0}',
            id="float-role",
        ),
    ],
)
def test_the_screen_leaves_a_doubtful_request_to_openapi_core(
    headers: dict[str, str], raw: bytes
) -> None:
    passed = screen_passes_request("createServiceAccount", Headers(headers), raw)

    assert passed is False


@pytest.mark.parametrize("operation_id", sorted(VALID_REQUESTS))
@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_request_the_screen_passes_openapi_core_accepts(
    operation_id: str, data: st.DataObject
) -> None:
    body = data.draw(edited(VALID_REQUESTS[operation_id]))
    headers = Headers({"Authorization": ADMIN, "Content-Type": "application/json"})
    raw = json.dumps(body).encode()

    if screen_passes_request(operation_id, headers, raw):
        assert openapi_core_accepts_request(operation_id, headers, raw), body


def openapi_core_violations(
    operation_id: str, status: int, headers: Headers, body: Any
) -> list[str]:
    call = call_of(operation_id, Headers({"Authorization": ADMIN}), None)
    data = None if body is None else json.dumps(body).encode()
    response = ApiResponse(status, headers, "application/json", data)
    return CONTRACT.check_response(call, response)


def screen_passes_response(
    operation_id: str, status: int, headers: Headers, body: Any
) -> bool:
    _, screen = screens(operation_id)
    return screen.passes(status, headers, "application/json", lambda: body)


RESPONSES: list[tuple[str, int, dict[str, Any] | None, bool]] = [
    ("getServiceAccounts", 200, {"serviceAccounts": [ACCOUNT], "rootRoles": []}, False),
    ("createServiceAccount", 201, ACCOUNT, True),
    ("updateServiceAccount", 200, ACCOUNT, False),
    ("getServiceAccountTokens", 200, {"pats": [TOKEN]}, False),
    ("createServiceAccountToken", 201, {**TOKEN, "secret": "user:" + "a" * 56}, True),
    ("createServiceAccount", 400, ERROR, False),
    ("deleteServiceAccountToken", 404, ERROR, False),
]
# Text a header can carry: any characters but line breaks.
HEADER_VALUES = st.text(st.characters(exclude_characters="\r\n"), max_size=10)


@pytest.mark.parametrize(
    ("operation_id", "status", "body", "located"),
    [pytest.param(*case, id=f"{case[0]}-{case[1]}") for case in RESPONSES],
)
def test_a_response_the_mock_sends_passes_the_screen_and_openapi_core(
    operation_id: str, status: int, body: dict[str, Any], located: bool
) -> None:
    headers = Headers({"location": "http://127.0.0.1:4242/x/7"} if located else {})

    screened = screen_passes_response(operation_id, status, headers, body)

    assert screened is True
    assert openapi_core_violations(operation_id, status, headers, body) == []


@pytest.mark.parametrize(
    ("operation_id", "status", "body", "located"),
    [pytest.param(*case, id=f"{case[0]}-{case[1]}") for case in RESPONSES],
)
@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data())
@example(data=None)
def test_a_response_the_screen_passes_openapi_core_accepts(
    operation_id: str,
    status: int,
    body: dict[str, Any],
    located: bool,
    data: st.DataObject | None,
) -> None:
    edited_body = body if data is None else data.draw(_edited_response(body))
    location = "http://127.0.0.1:4242/x/7"

    if data is not None and located:
        location = data.draw(st.one_of(st.just(location), HEADER_VALUES))

    headers = Headers({"location": location} if located else {})

    if screen_passes_response(operation_id, status, headers, edited_body):
        violations = openapi_core_violations(operation_id, status, headers, edited_body)
        assert violations == [], edited_body


def _edited_response(body: dict[str, Any]) -> st.SearchStrategy[Any]:
    """The body edited at the top, or inside its first listed item."""
    listed = next((key for key, value in body.items() if isinstance(value, list)), None)

    if listed is None or not body[listed]:
        return edited(body)

    return st.one_of(
        edited(body),
        edited(body[listed][0]).map(lambda item: {**body, listed: [item]}),
    )


def test_an_account_without_its_required_id_is_left_to_openapi_core() -> None:
    nameless = {key: value for key, value in ACCOUNT.items() if key != "id"}

    passed = screen_passes_response("createServiceAccount", 201, Headers(), nameless)

    assert passed is False


def test_an_undocumented_status_is_left_to_openapi_core() -> None:
    passed = screen_passes_response("getServiceAccounts", 418, Headers(), ERROR)

    assert passed is False
