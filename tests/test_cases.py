"""Real-world fault reports replayed against the mock (``shared/cases/README.md``).

Each test replays one case's input and asserts the case's expected outcome; the
case id and its source are in the test's docstring.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_server import MockConfig, create_app
from mock_server.fixtures import default_seed
from tests.conftest import Api, FakeClock
from tests.matchers import ADMIN_HEADERS, SECRET, UUID

ACCOUNTS = "/api/admin/service-account"
CI_BOT = {"username": "ci-bot", "name": "CI bot", "rootRole": 1}
SQL_OR_TRACE = ("select ", "insert ", "traceback", 'file "', "sqlstate", " line ")


def error_shape(body: Any) -> bool:
    """Unleash's error shape: string id, name and message, a list of details."""
    return (
        isinstance(body, dict)
        and all(isinstance(body.get(key), str) for key in ("id", "name", "message"))
        and isinstance(body.get("details"), list)
        and all(isinstance(item.get("message"), str) for item in body["details"])
    )


@pytest.mark.parametrize(
    ("header", "status"),
    [
        pytest.param(ADMIN_HEADERS["Authorization"], 200, id="raw"),
        pytest.param(f"Bearer {ADMIN_HEADERS['Authorization']}", 200, id="bearer"),
        pytest.param(
            f"bearer {ADMIN_HEADERS['Authorization']}", 200, id="lower-bearer"
        ),
        pytest.param("Bearer", 401, id="scheme-without-credential"),
    ],
)
def test_c01_raw_and_bearer_forms_are_alternatives(
    client: FlaskClient, header: str, status: int
) -> None:
    """C01, Unleash/unleash#4630: the two security schemes are OR, not AND."""
    response = client.get(ACCOUNTS, headers={"Authorization": header})

    assert response.status_code == status


def test_c01_bearer_works_under_a_base_path(clock: FakeClock) -> None:
    """C01, Unleash/unleash#7065: Bearer under a base path."""
    client = create_app(MockConfig(seed=None, clock=clock, base_path="/unleash"))
    response = client.test_client().get(
        f"/unleash{ACCOUNTS}",
        headers={"Authorization": f"Bearer {ADMIN_HEADERS['Authorization']}"},
    )

    assert response.status_code == 200
    assert response.get_json() == {"serviceAccounts": [], "rootRoles": []}


def test_c02_json_with_a_charset_is_json(client: FlaskClient) -> None:
    """C02, Unleash/unleash#1201 and openapi-core#304: media types, not strings."""
    accepted = client.post(
        ACCOUNTS,
        data=b'{"username":"ci-bot","name":"CI bot","rootRole":1}',
        headers={**ADMIN_HEADERS, "Content-Type": "application/json; charset=UTF-8"},
    )
    refused = client.post(
        ACCOUNTS,
        data=b'{"username":"ci-bot-2","name":"CI bot","rootRole":1}',
        headers={**ADMIN_HEADERS, "Content-Type": "text/plain"},
    )

    assert accepted.status_code == 201
    assert (accepted.get_json()["username"], accepted.get_json()["rootRole"]) == (
        "ci-bot",
        1,
    )
    assert refused.status_code == 415
    assert error_shape(refused.get_json())


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        pytest.param("PUT", f"{ACCOUNTS}/abc", {"name": "renamed"}, 404, id="put-abc"),
        pytest.param("DELETE", f"{ACCOUNTS}/abc", None, 404, id="delete-abc"),
        pytest.param(
            "DELETE", f"{ACCOUNTS}/1/token/1%27%20OR%201%3D1", None, 404, id="sql-id"
        ),
        pytest.param(
            "POST",
            ACCOUNTS,
            {"username": "ci-bot-3", "name": "CI bot", "rootRole": "Admin"},
            400,
            id="root-role-name",
        ),
        pytest.param(
            "POST",
            ACCOUNTS,
            {"username": "ci-bot-4", "name": "CI bot", "rootRole": 999999},
            400,
            id="unknown-root-role",
        ),
    ],
)
def test_c03_non_integer_ids_never_reach_the_store(
    api: Api, client: FlaskClient, method: str, path: str, body: Any, status: int
) -> None:
    """C03, Unleash/unleash#6860: 404 for any id that names nothing; no SQL text."""
    api.create_account()

    response = client.open(path, method=method, json=body, headers=ADMIN_HEADERS)

    assert response.status_code == status
    assert error_shape(response.get_json())
    assert not any(
        marker in response.get_data(as_text=True).lower() for marker in SQL_OR_TRACE
    )


def test_c05_every_layer_answers_in_one_error_shape(client: FlaskClient) -> None:
    """C05, Unleash/unleash#3607: schema, handler, not-found and auth layers."""
    schema = client.post(ACCOUNTS, json={"username": "ci-bot"}, headers=ADMIN_HEADERS)
    client.post(ACCOUNTS, json={**CI_BOT, "username": "dup"}, headers=ADMIN_HEADERS)
    handler = client.post(
        ACCOUNTS, json={**CI_BOT, "username": "dup"}, headers=ADMIN_HEADERS
    )
    not_found = client.put(
        f"{ACCOUNTS}/999999", json={"name": "x"}, headers=ADMIN_HEADERS
    )
    auth = client.get(ACCOUNTS)

    responses = [schema, handler, not_found, auth]
    assert [response.status_code for response in responses] == [400, 409, 404, 401]
    assert all(response.mimetype == "application/json" for response in responses)
    assert all(error_shape(response.get_json()) for response in responses)


def test_c06_validator_errors_carry_no_second_format(client: FlaskClient) -> None:
    """C06, ASFHyP3/hyp3#625: no `errors` wrapper, no Python class names."""
    response = client.post(
        ACCOUNTS,
        json={"username": 123, "name": "x", "rootRole": 1},
        headers=ADMIN_HEADERS,
    )

    body = response.get_json()
    assert response.status_code == 400
    assert response.content_type == "application/json"
    assert body == {
        "id": UUID,
        "name": "BadDataError",
        "message": "Request validation failed: your request body or params contain "
        "invalid data. Refer to the `details` list for more information.",
        "details": [
            {
                "path": "/body/username",
                "message": "The `/body/username` property must be string. "
                "You sent 123.",
            }
        ],
    }
    assert "Invalid" not in response.get_data(as_text=True)


def test_c10_a_username_is_unique_across_users_and_accounts(clock: FakeClock) -> None:
    """C10, directus/directus#3185: a clash is a 409, never a 500."""
    app = create_app(MockConfig(seed=default_seed(), clock=clock))
    client = app.test_client()

    first = client.post(ACCOUNTS, json=CI_BOT, headers=ADMIN_HEADERS)
    second = client.post(ACCOUNTS, json=CI_BOT, headers=ADMIN_HEADERS)
    human = client.post(
        ACCOUNTS, json={**CI_BOT, "username": "admin"}, headers=ADMIN_HEADERS
    )

    assert [first.status_code, second.status_code, human.status_code] == [201, 409, 409]
    assert human.get_json()["name"] == "NameExistsError"


def test_c11_delete_frees_the_name_but_never_the_id(
    api: Api, client: FlaskClient
) -> None:
    """C11, Unleash/unleash#2497: monotonic ids, cascading tokens, use after free."""
    account = api.create_account()
    token = api.create_token(account["id"])
    path = f"{ACCOUNTS}/{account['id']}"

    deleted = client.delete(path, headers=ADMIN_HEADERS)
    tokens = client.get(f"{path}/token", headers=ADMIN_HEADERS)
    updated = client.put(path, json={"name": "y"}, headers=ADMIN_HEADERS)
    token_deleted = client.delete(f"{path}/token/{token['id']}", headers=ADMIN_HEADERS)
    with_secret = client.get(ACCOUNTS, headers={"Authorization": token["secret"]})
    recreated = client.post(ACCOUNTS, json=CI_BOT, headers=ADMIN_HEADERS)
    deleted_again = client.delete(path, headers=ADMIN_HEADERS)

    assert (deleted.status_code, deleted.data) == (200, b"")
    assert [tokens.status_code, updated.status_code, token_deleted.status_code] == [
        404,
        404,
        404,
    ]
    assert with_secret.status_code == 401
    assert recreated.status_code == 201
    assert recreated.get_json()["id"] != account["id"]
    assert deleted_again.status_code == 404


def test_c12_the_secret_is_shown_only_at_creation(
    api: Api, client: FlaskClient
) -> None:
    """C12, terraform-provider-unleash: a 201 has the secret, no list does."""
    account = api.create_account()

    created = client.post(
        f"{ACCOUNTS}/{account['id']}/token",
        json={"description": "ci", "expiresAt": "2027-01-01T00:00:00Z"},
        headers=ADMIN_HEADERS,
    )
    tokens = client.get(f"{ACCOUNTS}/{account['id']}/token", headers=ADMIN_HEADERS)
    accounts = client.get(ACCOUNTS, headers=ADMIN_HEADERS)

    assert created.status_code == 201
    assert created.get_json() == {
        "id": 1,
        "description": "ci",
        "expiresAt": "2027-01-01T00:00:00.000Z",
        "createdAt": "2026-12-01T12:00:00.000Z",
        "seenAt": None,
        "secret": SECRET,
    }
    assert all("secret" not in pat for pat in tokens.get_json()["pats"])
    assert all(
        "secret" not in pat
        for service_account in accounts.get_json()["serviceAccounts"]
        for pat in service_account["tokens"]
    )


def test_c17_an_unused_token_lists_seen_at_null(app: Flask, api: Api) -> None:
    """C17, openapi-core#251: `nullable` date-times pass response validation."""
    account = api.create_account()
    api.create_token(account["id"])

    response = app.test_client().get(
        f"{ACCOUNTS}/{account['id']}/token", headers=ADMIN_HEADERS
    )

    assert response.status_code == 200
    assert response.get_json()["pats"][0]["seenAt"] is None


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        pytest.param(b'{"username": 1}', "application/json", id="bad-body"),
        pytest.param(b"x", "text/plain", id="bad-content-type"),
    ],
)
def test_c19_anonymous_callers_learn_nothing_about_their_body(
    client: FlaskClient, data: bytes, content_type: str
) -> None:
    """C19, luolingchun/flask-openapi#111: authentication comes before validation."""
    response = client.post(ACCOUNTS, data=data, headers={"Content-Type": content_type})

    assert response.status_code == 401
    assert response.get_json()["name"] == "AuthenticationRequired"
    assert "/body" not in response.get_data(as_text=True)


def test_c20_delete_with_json_headers_and_no_body(
    api: Api, client: FlaskClient
) -> None:
    """C20, stoplightio/prism#1618: no 406, 415 or 400 on an empty DELETE."""
    account = api.create_account()
    token = api.create_token(account["id"])

    response = client.delete(
        f"{ACCOUNTS}/{account['id']}/token/{token['id']}",
        headers={
            **ADMIN_HEADERS,
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Content-Length": "0",
        },
    )

    assert (response.status_code, response.data) == (200, b"")


def test_c21_cors_preflight_and_response_for_a_browser(client: FlaskClient) -> None:
    """C21, stoplightio/prism#412 and #956: preflight bypasses auth; both carry CORS."""
    preflight = client.options(
        ACCOUNTS,
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    actual = client.post(
        ACCOUNTS,
        data=b'{"username":"ci-bot","name":"CI bot","rootRole":1}',
        headers={
            **ADMIN_HEADERS,
            "Content-Type": "application/json; charset=UTF-8",
            "Origin": "http://localhost:3000",
        },
    )

    allowed_methods = set(preflight.headers["Access-Control-Allow-Methods"].split(", "))
    allowed_headers = preflight.headers["Access-Control-Allow-Headers"].split(", ")
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert {"GET", "POST", "PUT", "DELETE"} <= allowed_methods
    assert {"authorization", "content-type"} <= set(allowed_headers)
    assert actual.status_code == 201
    assert actual.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
