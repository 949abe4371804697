"""HTTP around the operations: content types, bodies, paths, methods and CORS."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from mock_server import MockConfig, create_app
from tests.conftest import Api, FakeClock
from tests.matchers import ADMIN_HEADERS, bad_data, error_body, not_found_account

ACCOUNTS = "/api/admin/service-account"
VALID_ACCOUNT = b'{"username": "ci-bot", "name": "CI bot", "rootRole": 1}'


def unsupported(provided: str) -> dict[str, object]:
    return error_body(
        "ContentTypeError",
        f"We do not accept the content-type you provided ({provided}). Try using one "
        "of the content-types we do accept instead (application/json) and make sure "
        "the body is in the corresponding format.",
    )


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json; charset=utf-8",
        "application/json; charset=UTF-8",
        "Application/JSON",
        "application/json;charset=utf-8",
    ],
)
def test_json_with_parameters_or_other_case_is_accepted(
    client: FlaskClient, content_type: str
) -> None:
    response = client.post(
        ACCOUNTS,
        data=VALID_ACCOUNT,
        headers={**ADMIN_HEADERS, "Content-Type": content_type},
    )

    assert response.status_code == 201
    assert response.get_json()["username"] == "ci-bot"


@pytest.mark.parametrize(
    ("content_type", "echoed"),
    [
        pytest.param("text/plain", "text/plain", id="text"),
        pytest.param("application/xml", "application/xml", id="xml"),
        pytest.param("application/jsonx", "application/jsonx", id="json-lookalike"),
        pytest.param(
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded",
            id="form",
        ),
    ],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("POST", ACCOUNTS, id="create"),
        pytest.param("PUT", f"{ACCOUNTS}/1", id="update"),
        pytest.param("POST", f"{ACCOUNTS}/1/token", id="create-token"),
    ],
)
def test_post_and_put_without_json_answer_415(
    api: Api,
    client: FlaskClient,
    method: str,
    path: str,
    content_type: str,
    echoed: str,
) -> None:
    api.create_account("existing")

    response = client.open(
        path,
        method=method,
        data=VALID_ACCOUNT,
        headers={**ADMIN_HEADERS, "Content-Type": content_type},
    )

    assert response.status_code == 415
    assert response.get_json() == unsupported(echoed)


def test_a_missing_content_type_answers_415(client: FlaskClient) -> None:
    response = client.post(ACCOUNTS, data=VALID_ACCOUNT, headers=ADMIN_HEADERS)

    assert response.status_code == 415
    assert response.get_json() == unsupported("you didn't provide one")


def test_a_huge_content_type_is_echoed_cut_short(client: FlaskClient) -> None:
    response = client.post(
        ACCOUNTS,
        data=VALID_ACCOUNT,
        headers={**ADMIN_HEADERS, "Content-Type": "text/" + "x" * 5000},
    )

    assert response.status_code == 415
    assert response.get_json() == unsupported("text/" + "x" * 74 + "…")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(
            b'{"username": ',
            "The request body is not valid JSON: Expecting value: line 1 column 14 "
            "(char 13).",
            id="truncated",
        ),
        pytest.param(
            b"\xff\xfe{}",
            "The request body is not valid UTF-8 (byte 0).",
            id="invalid-utf-8",
        ),
        pytest.param(
            b'{"username": "a", "name": "b", "rootRole": NaN}',
            "The request body is not valid JSON: NaN is not a JSON value.",
            id="nan",
        ),
        pytest.param(
            b'{"username": "\\ud800", "name": "b", "rootRole": 1}',
            "The request body holds a string that is not valid Unicode (an escaped "
            "lone surrogate).",
            id="lone-surrogate",
        ),
        pytest.param(
            b"[" * 5000 + b"]" * 5000,
            "The request body is nested more than 64 levels deep.",
            id="deeply-nested",
        ),
        pytest.param(
            b"[" * 50000 + b"]" * 50000,
            "The request body is nested more than 64 levels deep.",
            id="nested-past-the-recursion-limit",
        ),
        pytest.param(
            b"",
            "The request body is required, but it was empty.",
            id="empty",
        ),
    ],
)
def test_unreadable_bodies_answer_400_in_the_error_shape(
    client: FlaskClient, body: bytes, reason: str
) -> None:
    response = client.post(
        ACCOUNTS,
        data=body,
        headers={**ADMIN_HEADERS, "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.get_json() == bad_data({"path": "/body", "message": reason})


def test_a_huge_string_is_not_echoed_back(client: FlaskClient) -> None:
    response = client.post(
        ACCOUNTS,
        json={"username": ["x" * 50_000], "name": "b", "rootRole": 1},
        headers=ADMIN_HEADERS,
    )

    assert response.status_code == 400
    assert len(response.data) < 1000


def test_a_trailing_slash_answers_as_the_path_without_it(
    api: Api, client: FlaskClient
) -> None:
    api.create_account()

    with_slash = client.get(f"{ACCOUNTS}/", headers=ADMIN_HEADERS)
    tokens = client.get(f"{ACCOUNTS}/1/token/", headers=ADMIN_HEADERS)

    assert with_slash.status_code == 200
    assert with_slash.get_json() == api.list_accounts()
    assert tokens.status_code == 200


@pytest.mark.parametrize(
    ("method", "suffix", "encoded_slash"),
    [
        pytest.param("delete", "", "%2F", id="delete"),
        pytest.param("put", "", "%2f", id="put-lower-case"),
        pytest.param("get", "/token", "%2F", id="tokens"),
    ],
)
def test_an_encoded_slash_stays_in_the_id_it_was_sent_in(
    api: Api, client: FlaskClient, method: str, suffix: str, encoded_slash: str
) -> None:
    # A frontend building paths with encodeURIComponent sends the id "1/" as
    # 1%2F; decoded early, it would name account 1 and change it.
    account = api.create_account()
    api.create_token(account["id"])
    before = api.list_accounts()
    sent_id = f"{account['id']}{encoded_slash}"

    response = getattr(client, method)(
        f"{ACCOUNTS}/{sent_id}{suffix}", json={"name": "renamed"}, headers=ADMIN_HEADERS
    )

    assert response.status_code == 404
    assert response.get_json() == not_found_account(f"{account['id']}%2F")
    assert api.list_accounts() == before


@pytest.mark.parametrize(
    ("path", "as_routed"),
    [
        pytest.param("/api//admin/service-account", None, id="inside"),
        pytest.param(f"{ACCOUNTS}/1//token", None, id="before-token"),
        pytest.param(f"{ACCOUNTS}//token", None, id="empty-id"),
        pytest.param(f"{ACCOUNTS}//", f"{ACCOUNTS}/", id="two-trailing"),
        pytest.param(f"{ACCOUNTS}%2F", None, id="encoded-trailing"),
    ],
)
def test_a_doubled_or_encoded_slash_between_segments_matches_no_route(
    api: Api, client: FlaskClient, path: str, as_routed: str | None
) -> None:
    # Express matches none of these; werkzeug would merge doubled slashes and
    # answer with an HTML redirect. One trailing slash is dropped, as always.
    api.create_account()

    response = client.get(path, headers=ADMIN_HEADERS)

    assert response.status_code == 404
    assert response.get_json() == error_body(
        "NotFoundError",
        f"The path you were looking for ({as_routed or path}) is not available.",
    )


def test_delete_with_json_headers_and_an_empty_body_works(
    api: Api, client: FlaskClient
) -> None:
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

    assert response.status_code == 200
    assert response.data == b""


def test_head_answers_like_get_without_a_body(client: FlaskClient) -> None:
    response = client.head(ACCOUNTS, headers=ADMIN_HEADERS)

    assert response.status_code == 200
    assert response.data == b""


def test_an_unknown_path_answers_404_in_the_error_shape(client: FlaskClient) -> None:
    response = client.get("/api/admin/service-accounts", headers=ADMIN_HEADERS)

    assert response.status_code == 404
    assert response.get_json() == error_body(
        "NotFoundError",
        "The path you were looking for (/api/admin/service-accounts) is not available.",
    )


def test_an_undeclared_method_answers_405_with_allow(client: FlaskClient) -> None:
    response = client.patch(f"{ACCOUNTS}/1", headers=ADMIN_HEADERS)

    assert response.status_code == 405
    assert response.headers["Allow"] == "DELETE, OPTIONS, PUT"
    assert response.get_json() == error_body(
        "MethodNotAllowedError",
        "PATCH is not allowed on /api/admin/service-account/1. "
        "Use DELETE, OPTIONS, PUT.",
    )


def test_cors_preflight_with_authorization_is_allowed(client: FlaskClient) -> None:
    response = client.options(
        ACCOUNTS,
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert response.headers["Access-Control-Allow-Methods"] == "DELETE, GET, POST, PUT"
    assert response.headers["Access-Control-Allow-Headers"] == (
        "authorization, content-type"
    )


def test_cors_headers_reach_the_real_response(client: FlaskClient) -> None:
    response = client.post(
        ACCOUNTS,
        json={"username": "ci-bot", "name": "CI bot", "rootRole": 1},
        headers={**ADMIN_HEADERS, "Origin": "http://localhost:3000"},
    )

    assert response.status_code == 201
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert response.headers["Access-Control-Expose-Headers"] == "location"


def test_a_request_without_an_origin_gets_no_cors_headers(
    client: FlaskClient,
) -> None:
    response = client.get(ACCOUNTS, headers=ADMIN_HEADERS)

    assert response.status_code == 200
    assert sorted(response.headers.keys()) == ["Content-Length", "Content-Type"]


def test_cors_origins_are_configurable(clock: FakeClock) -> None:
    app = create_app(
        MockConfig(seed=None, clock=clock, cors_origins=("http://app.test",))
    )
    client = app.test_client()

    allowed = client.get(
        ACCOUNTS, headers={**ADMIN_HEADERS, "Origin": "http://app.test"}
    )
    other = client.get(
        ACCOUNTS, headers={**ADMIN_HEADERS, "Origin": "http://evil.test"}
    )

    assert allowed.headers["Access-Control-Allow-Origin"] == "http://app.test"
    assert "Access-Control-Allow-Origin" not in other.headers


def test_a_base_path_serves_the_api_below_it(clock: FakeClock) -> None:
    app = create_app(MockConfig(seed=None, clock=clock, base_path="/unleash"))
    client = app.test_client()

    created = client.post(
        f"/unleash{ACCOUNTS}",
        json={"username": "ci-bot", "name": "CI bot", "rootRole": 1},
        headers={"Authorization": "Bearer *:*.unleash-insecure-admin-api-token"},
    )
    outside = client.get(ACCOUNTS, headers=ADMIN_HEADERS)

    assert created.status_code == 201
    assert created.headers["location"] == (
        "http://localhost/unleash/api/admin/service-account/1"
    )
    assert outside.status_code == 404


def _account_body_of_size(size: int) -> bytes:
    frame = b'{"username": "", "name": "b", "rootRole": 1}'
    return frame.replace(b'""', b'"' + b"a" * (size - len(frame)) + b'"')


def test_a_body_of_100_kb_is_accepted(client: FlaskClient) -> None:
    body = _account_body_of_size(100 * 1024)

    response = client.post(
        ACCOUNTS,
        data=body,
        headers={**ADMIN_HEADERS, "Content-Type": "application/json"},
    )

    assert len(body) == 102400
    assert response.status_code == 201


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(ADMIN_HEADERS, id="admin"),
        pytest.param({}, id="before-authentication"),
    ],
)
def test_a_body_over_100_kb_answers_413(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    response = client.post(
        ACCOUNTS,
        data=_account_body_of_size(100 * 1024 + 1),
        headers={**headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert response.get_json() == error_body(
        "PayloadTooLargeError", "request entity too large"
    )
