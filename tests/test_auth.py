"""Authentication and permission, in Unleash's order: 401, 403, 415, 400."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from mock_server import MockConfig, create_app
from tests.conftest import Api, FakeClock
from tests.matchers import ADMIN_HEADERS, bad_data, error_body, required

ACCOUNTS = "/api/admin/service-account"

AUTHENTICATION_REQUIRED = error_body(
    "AuthenticationRequired",
    "You must log in to use Unleash. Your request had no authorization header, so "
    "we could not authorize you. Try logging in at /auth/simple/login",
    path="/auth/simple/login",
    type="password",
    defaultHidden=False,
)
UNAUTHORIZED = error_body("UnauthorizedError", "You must log in to use Unleash.")
PERMISSION = error_body(
    "PermissionError",
    "You don't have the required permissions to perform this operation. To "
    'perform this action, you need the "ADMIN" permission.',
    permissions=["ADMIN"],
)

EVERY_OPERATION = [
    pytest.param("GET", ACCOUNTS, None, id="getServiceAccounts"),
    pytest.param(
        "POST",
        ACCOUNTS,
        {"username": "x", "name": "x", "rootRole": 1},
        id="createServiceAccount",
    ),
    pytest.param("PUT", f"{ACCOUNTS}/1", {"name": "x"}, id="updateServiceAccount"),
    pytest.param("DELETE", f"{ACCOUNTS}/1", None, id="deleteServiceAccount"),
    pytest.param("GET", f"{ACCOUNTS}/1/token", None, id="getServiceAccountTokens"),
    pytest.param(
        "POST",
        f"{ACCOUNTS}/1/token",
        {"description": "x", "expiresAt": "2030-01-01T00:00:00Z"},
        id="createServiceAccountToken",
    ),
    pytest.param(
        "DELETE", f"{ACCOUNTS}/1/token/1", None, id="deleteServiceAccountToken"
    ),
]


@pytest.mark.parametrize(("method", "path", "body"), EVERY_OPERATION)
def test_every_operation_answers_401_without_a_header(
    client: FlaskClient, method: str, path: str, body: Any
) -> None:
    response = client.open(path, method=method, json=body)

    assert response.status_code == 401
    assert response.get_json() == AUTHENTICATION_REQUIRED


@pytest.mark.parametrize(("method", "path", "body"), EVERY_OPERATION)
def test_every_operation_answers_401_to_an_unknown_token(
    client: FlaskClient, method: str, path: str, body: Any
) -> None:
    response = client.open(
        path, method=method, json=body, headers={"Authorization": "user:" + "0" * 56}
    )

    assert response.status_code == 401
    assert response.get_json() == UNAUTHORIZED


@pytest.mark.parametrize(("method", "path", "body"), EVERY_OPERATION)
def test_every_operation_answers_403_to_a_viewer_token(
    api: Api, client: FlaskClient, method: str, path: str, body: Any
) -> None:
    viewer = api.create_account("viewer", root_role=3)
    secret = api.create_token(viewer["id"])["secret"]

    response = client.open(
        path, method=method, json=body, headers={"Authorization": secret}
    )

    assert response.status_code == 403
    assert response.get_json() == PERMISSION


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("{token}", id="raw"),
        pytest.param("Bearer {token}", id="bearer"),
        pytest.param("bearer {token}", id="lower-case-scheme"),
        pytest.param("BEARER   {token}", id="upper-case-scheme-many-spaces"),
    ],
)
@pytest.mark.parametrize(
    "token",
    [
        pytest.param("*:*.unleash-insecure-admin-api-token", id="admin-api-token"),
        pytest.param("admin-service-account", id="admin-service-account-token"),
    ],
)
def test_raw_and_bearer_forms_both_authenticate(
    api: Api, client: FlaskClient, header: str, token: str
) -> None:
    if token == "admin-service-account":
        admin = api.create_account("admin-bot", root_role=1)
        token = api.create_token(admin["id"])["secret"]

    response = client.get(
        ACCOUNTS, headers={"Authorization": header.format(token=token)}
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param("", AUTHENTICATION_REQUIRED, id="empty"),
        pytest.param("   ", AUTHENTICATION_REQUIRED, id="blank"),
        pytest.param("Bearer", UNAUTHORIZED, id="scheme-without-credential"),
        pytest.param("Bearer ", UNAUTHORIZED, id="scheme-and-space"),
        pytest.param("Basic YWRtaW46YWRtaW4=", UNAUTHORIZED, id="basic-scheme"),
        pytest.param("*:*.wrong", UNAUTHORIZED, id="wrong-admin-token"),
        pytest.param(
            "*:*.unleash-insecure-admin-api-token-and-more",
            UNAUTHORIZED,
            id="admin-token-prefix",
        ),
    ],
)
def test_headers_naming_nobody_answer_401(
    client: FlaskClient, header: str, expected: dict[str, Any]
) -> None:
    response = client.get(ACCOUNTS, headers={"Authorization": header})

    assert response.status_code == 401
    assert response.get_json() == expected


def test_editor_tokens_get_403(api: Api, client: FlaskClient) -> None:
    editor = api.create_account("editor", root_role=2)
    secret = api.create_token(editor["id"])["secret"]

    response = client.get(ACCOUNTS, headers={"Authorization": secret})

    assert response.status_code == 403
    assert response.get_json() == PERMISSION


def test_promoting_an_account_to_admin_lets_its_token_through(
    api: Api, client: FlaskClient
) -> None:
    viewer = api.create_account("viewer", root_role=3)
    secret = api.create_token(viewer["id"])["secret"]
    client.put(
        f"{ACCOUNTS}/{viewer['id']}", json={"rootRole": 1}, headers=ADMIN_HEADERS
    )

    response = client.get(ACCOUNTS, headers={"Authorization": secret})

    assert response.status_code == 200


def test_an_expired_token_gets_401(
    api: Api, client: FlaskClient, clock: FakeClock
) -> None:
    admin = api.create_account("admin-bot", root_role=1)
    secret = api.create_token(admin["id"], expires_at="2026-12-01T13:00:00Z")["secret"]
    clock.advance(hours=1)

    response = client.get(ACCOUNTS, headers={"Authorization": secret})

    assert response.status_code == 401
    assert response.get_json() == UNAUTHORIZED


def test_a_deleted_token_gets_401(api: Api, client: FlaskClient) -> None:
    admin = api.create_account("admin-bot", root_role=1)
    token = api.create_token(admin["id"])
    client.delete(
        f"{ACCOUNTS}/{admin['id']}/token/{token['id']}", headers=ADMIN_HEADERS
    )

    response = client.get(ACCOUNTS, headers={"Authorization": token["secret"]})

    assert response.status_code == 401
    assert response.get_json() == UNAUTHORIZED


def test_the_admin_token_is_configurable(clock: FakeClock) -> None:
    app = create_app(MockConfig(admin_tokens=("*:*.custom",), seed=None, clock=clock))
    client = app.test_client()

    custom = client.get(ACCOUNTS, headers={"Authorization": "*:*.custom"})
    default = client.get(ACCOUNTS, headers=ADMIN_HEADERS)

    assert (custom.status_code, default.status_code) == (200, 401)


CONTENT_TYPE_REFUSED = error_body(
    "ContentTypeError",
    "We do not accept the content-type you provided (text/plain). Try using one of "
    "the content-types we do accept instead (application/json) and make sure the "
    "body is in the corresponding format.",
)


@pytest.mark.parametrize(
    ("headers", "status", "body"),
    [
        pytest.param({}, 401, AUTHENTICATION_REQUIRED, id="no-credentials-first"),
        pytest.param({"Authorization": "nobody"}, 401, UNAUTHORIZED, id="bad-token"),
        pytest.param(
            {"Authorization": "VIEWER"}, 403, PERMISSION, id="viewer-beats-415-and-400"
        ),
        pytest.param(
            ADMIN_HEADERS, 415, CONTENT_TYPE_REFUSED, id="admin-gets-415-before-400"
        ),
    ],
)
def test_checks_run_in_unleash_order(
    api: Api,
    client: FlaskClient,
    headers: dict[str, str],
    status: int,
    body: dict[str, object],
) -> None:
    if headers.get("Authorization") == "VIEWER":
        viewer = api.create_account("viewer", root_role=3)
        headers = {"Authorization": api.create_token(viewer["id"])["secret"]}

    response = client.post(
        ACCOUNTS,
        data='{"username": 1}',
        headers={**headers, "Content-Type": "text/plain"},
    )

    assert response.status_code == status
    assert response.get_json() == body


def test_a_schema_error_from_an_admin_with_json_is_400(client: FlaskClient) -> None:
    response = client.post(ACCOUNTS, json={"username": 1}, headers=ADMIN_HEADERS)

    assert response.status_code == 400
    assert response.get_json() == bad_data(
        required("/body/name"),
        required("/body/rootRole"),
        {
            "path": "/body/username",
            "message": "The `/body/username` property must be string. You sent 1.",
        },
    )
