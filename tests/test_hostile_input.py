"""Input that generators rarely make: every answer is a clear error, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.matchers import ADMIN_HEADERS, error_body

ACCOUNTS = "/api/admin/service-account"
JSON_ADMIN = {**ADMIN_HEADERS, "Content-Type": "application/json"}
TRACE_MARKERS = ("Traceback", 'File "', "sqlite3", "Error:", "openapi_core")


def assert_clear_error(response: Any, status: int, name: str) -> None:
    body = response.get_json()
    assert response.status_code == status
    assert body["name"] == name
    assert isinstance(body["message"], str)
    assert all(isinstance(detail["message"], str) for detail in body["details"])
    assert not any(
        marker in response.get_data(as_text=True) for marker in TRACE_MARKERS
    )


@pytest.mark.parametrize(
    "raw_id",
    [
        pytest.param("..%2F..%2Fetc%2Fpasswd", id="encoded-traversal"),
        pytest.param("%2e%2e", id="encoded-dots"),
        pytest.param("%252e%252e", id="double-encoded"),
        pytest.param("1'%20OR%20'1'%3D'1", id="sql-quote"),
        pytest.param("1%3BDROP%20TABLE%20users", id="sql-statement"),
        pytest.param("%22quoted%22", id="double-quotes"),
        pytest.param("%00", id="nul"),
        pytest.param("%FF%FE", id="invalid-utf-8"),
        pytest.param("%E2%80%AE1", id="bidi-override"),
        pytest.param("9" * 5000, id="huge-number"),
        pytest.param("x" * 5000, id="very-long"),
    ],
)
@pytest.mark.parametrize("method", ["PUT", "DELETE", "GET-TOKENS"])
def test_hostile_path_ids_answer_404(
    client: FlaskClient, raw_id: str, method: str
) -> None:
    path = f"{ACCOUNTS}/{raw_id}" + ("/token" if method == "GET-TOKENS" else "")

    response = client.open(
        path, method=method.split("-")[0], json={"name": "x"}, headers=ADMIN_HEADERS
    )

    assert_clear_error(response, 404, "NotFoundError")
    assert len(response.data) < 1000


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        pytest.param(
            b'{"username": "a", "name": "b", "rootRole": 1' + b"0" * 5000 + b"}",
            "/body",
            id="integer-past-python-digit-limit",
        ),
        pytest.param(
            b'{"username": "a", "name": "b", "rootRole": 1e309}',
            "/body/rootRole",
            id="float-overflowing-to-infinity",
        ),
        pytest.param(
            b'{"username": "a", "name": "b", "rootRole": -1e-400}',
            "/body/rootRole",
            id="float-underflowing-to-zero",
        ),
        pytest.param(
            b'{"username": {"$gt": ""}, "name": "b", "rootRole": 1}',
            "/body/username",
            id="operator-injection-object",
        ),
        pytest.param(
            b'{"username": "a", "name": "b", "rootRole": 1, "__proto__": {"x": 1}',
            "/body",
            id="truncated-prototype-pollution",
        ),
    ],
)
def test_hostile_bodies_answer_400_naming_the_place(
    client: FlaskClient, body: bytes, pointer: str
) -> None:
    response = client.post(ACCOUNTS, data=body, headers=JSON_ADMIN)

    assert_clear_error(response, 400, "BadDataError")
    assert response.get_json()["details"][0]["path"] == pointer


@pytest.mark.parametrize(
    "username",
    [
        pytest.param("a\u0000b", id="nul"),
        pytest.param("<script>alert(1)</script>", id="markup"),
        pytest.param("'; DROP TABLE users; --", id="sql"),
        pytest.param("\u202eevil", id="bidi-override"),
        pytest.param("x" * 50_000, id="very-long"),
        pytest.param("😀" * 100, id="astral-plane"),
    ],
)
def test_odd_but_valid_usernames_are_stored_and_echoed_exactly(
    client: FlaskClient, username: str
) -> None:
    created = client.post(
        ACCOUNTS,
        json={"username": username, "name": "n", "rootRole": 2},
        headers=ADMIN_HEADERS,
    )
    listed = client.get(ACCOUNTS, headers=ADMIN_HEADERS).get_json()

    assert created.status_code == 201
    assert listed["serviceAccounts"][-1]["username"] == username


def test_duplicate_authorization_headers_are_refused_with_401(
    client: FlaskClient,
) -> None:
    response = client.get(
        ACCOUNTS,
        headers=[
            ("Authorization", ADMIN_HEADERS["Authorization"]),
            ("Authorization", "user:" + "0" * 56),
        ],
    )

    assert_clear_error(response, 401, "UnauthorizedError")


def test_duplicate_content_types_are_refused_with_415(client: FlaskClient) -> None:
    response = client.post(
        ACCOUNTS,
        data=b'{"username": "a", "name": "b", "rootRole": 1}',
        environ_overrides={"CONTENT_TYPE": "application/json, text/plain"},
        headers=ADMIN_HEADERS,
    )

    assert_clear_error(response, 415, "ContentTypeError")


def test_oversized_headers_answer_431_in_the_error_shape(client: FlaskClient) -> None:
    response = client.get(
        ACCOUNTS, headers={**ADMIN_HEADERS, "X-Padding": "a" * 20_000}
    )

    assert response.status_code == 431
    assert response.get_json() == error_body(
        "RequestHeaderFieldsTooLargeError",
        "The request headers take 20111 bytes; the server accepts at most 16384.",
    )


def test_headers_just_under_the_limit_are_served(client: FlaskClient) -> None:
    response = client.get(
        ACCOUNTS, headers={**ADMIN_HEADERS, "X-Padding": "a" * 15_000}
    )

    assert response.status_code == 200
