"""Creating, listing, using and deleting service-account tokens."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient

from tests.conftest import Api, FakeClock
from tests.matchers import ADMIN_HEADERS, SECRET, bad_data, error_body, required

ACCOUNTS = "/api/admin/service-account"


def token_body(
    token_id: int = 1, description: str = "ci", **changes: object
) -> dict[str, object]:
    return {
        "id": token_id,
        "description": description,
        "expiresAt": "2030-01-01T00:00:00.000Z",
        "createdAt": "2026-12-01T12:00:00.000Z",
        "seenAt": None,
        **changes,
    }


def test_create_answers_201_with_the_secret_once(api: Api, client: FlaskClient) -> None:
    account = api.create_account()

    response = client.post(
        f"{ACCOUNTS}/{account['id']}/token",
        json={"description": "ci", "expiresAt": "2030-01-01T00:00:00Z"},
        headers=ADMIN_HEADERS,
    )

    assert response.status_code == 201
    assert response.get_json() == token_body(secret=SECRET)
    assert response.headers["location"] == (
        "http://localhost/api/admin/service-account/1/token/1"
    )


def test_secret_appears_in_no_list(api: Api, client: FlaskClient) -> None:
    account = api.create_account()
    created = api.create_token(account["id"])

    tokens = client.get(f"{ACCOUNTS}/{account['id']}/token", headers=ADMIN_HEADERS)
    accounts = client.get(ACCOUNTS, headers=ADMIN_HEADERS)

    assert tokens.status_code == 200
    assert tokens.get_json() == {"pats": [token_body()]}
    assert accounts.get_json()["serviceAccounts"][0]["tokens"] == [token_body()]
    assert created["secret"] not in tokens.get_data(as_text=True)
    assert created["secret"] not in accounts.get_data(as_text=True)


def test_secrets_are_distinct(api: Api) -> None:
    account = api.create_account()

    secrets = {api.create_token(account["id"], f"t{i}")["secret"] for i in range(10)}

    assert len(secrets) == 10


def test_token_ids_increase_across_accounts_and_are_never_reused(
    api: Api, client: FlaskClient
) -> None:
    first = api.create_account("first")
    second = api.create_account("second")
    a = api.create_token(first["id"])
    client.delete(f"{ACCOUNTS}/{first['id']}/token/{a['id']}", headers=ADMIN_HEADERS)

    b = api.create_token(second["id"])
    c = api.create_token(first["id"])

    assert (a["id"], b["id"], c["id"]) == (1, 2, 3)


def test_seen_at_is_null_until_the_token_is_used_then_the_last_use(
    api: Api, client: FlaskClient, clock: FakeClock
) -> None:
    account = api.create_account()
    token = api.create_token(account["id"])
    clock.advance(minutes=5)
    client.get(ACCOUNTS, headers={"Authorization": token["secret"]})
    clock.advance(minutes=5)
    client.get(ACCOUNTS, headers={"Authorization": f"Bearer {token['secret']}"})

    response = client.get(f"{ACCOUNTS}/{account['id']}/token", headers=ADMIN_HEADERS)

    assert response.get_json() == {
        "pats": [token_body(seenAt="2026-12-01T12:10:00.000Z")]
    }


@pytest.mark.parametrize(
    ("sent", "echoed"),
    [
        pytest.param("2030-01-01T00:00:00Z", "2030-01-01T00:00:00.000Z", id="utc"),
        pytest.param(
            "2030-01-01T02:00:00+02:00", "2030-01-01T00:00:00.000Z", id="offset"
        ),
        pytest.param(
            "2030-06-30T12:00:00.123456Z", "2030-06-30T12:00:00.123456Z", id="micros"
        ),
        pytest.param(
            "9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z", id="year-9999"
        ),
        pytest.param(
            "9999-12-31T23:59:59-05:00",
            "9999-12-31T23:59:59.000-05:00",
            id="after-the-last-utc-instant",
        ),
        pytest.param(
            "3026-12-01T12:00:00.000Z", "3026-12-01T12:00:00.000Z", id="ui-never"
        ),
    ],
)
def test_expiry_dates_up_to_year_9999_are_echoed_as_the_same_instant(
    api: Api, client: FlaskClient, sent: str, echoed: str
) -> None:
    account = api.create_account()

    created = api.create_token(account["id"], expires_at=sent)
    listed = client.get(f"{ACCOUNTS}/{account['id']}/token", headers=ADMIN_HEADERS)
    accounts = client.get(ACCOUNTS, headers=ADMIN_HEADERS)

    assert created["expiresAt"] == echoed
    assert listed.get_json()["pats"][0]["expiresAt"] == echoed
    assert accounts.get_json()["serviceAccounts"][0]["tokens"][0]["expiresAt"] == echoed


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            {"description": "", "expiresAt": "2030-01-01T00:00:00Z"},
            "PAT description cannot be empty.",
            id="empty-description",
        ),
        pytest.param(
            {"description": "ci", "expiresAt": "2020-01-01T00:00:00Z"},
            "The expiry date should be in future.",
            id="expiry-in-the-past",
        ),
        pytest.param(
            {"description": "ci", "expiresAt": "2026-12-01T12:00:00Z"},
            "The expiry date should be in future.",
            id="expiry-now",
        ),
        pytest.param(
            {"description": "ci", "expiresAt": "0001-01-01T00:30:00+01:00"},
            "The expiry date should be in future.",
            id="before-the-first-utc-instant",
        ),
    ],
)
def test_create_refuses_an_empty_description_or_a_past_expiry_with_400(
    api: Api, client: FlaskClient, body: dict[str, str], message: str
) -> None:
    account = api.create_account()

    response = client.post(
        f"{ACCOUNTS}/{account['id']}/token", json=body, headers=ADMIN_HEADERS
    )

    assert response.status_code == 400
    assert response.get_json() == error_body("BadDataError", message)


@pytest.mark.parametrize(
    ("expires_at", "reason"),
    [
        pytest.param("2027-12-31T23:59:60Z", "leap-second", id="leap-second"),
        pytest.param("tomorrow", "word", id="not-a-date"),
        pytest.param("2030-01-01", "date-only", id="date-only"),
        pytest.param("2030-01-01T00:00:00", "no-offset", id="no-offset"),
    ],
)
def test_create_refuses_an_expiry_that_is_not_an_instant_with_400(
    api: Api, client: FlaskClient, expires_at: str, reason: str
) -> None:
    account = api.create_account()

    response = client.post(
        f"{ACCOUNTS}/{account['id']}/token",
        json={"description": reason, "expiresAt": expires_at},
        headers=ADMIN_HEADERS,
    )

    assert response.status_code == 400
    assert response.get_json()["name"] == "BadDataError"
    assert response.get_json()["details"] == [
        {
            "path": "/body/expiresAt",
            "message": 'The `/body/expiresAt` property must match format "date-time". '
            f'You sent "{expires_at}".',
        }
    ]


def test_duplicate_description_on_one_account_answers_409(
    api: Api, client: FlaskClient
) -> None:
    first = api.create_account("first")
    second = api.create_account("second")
    api.create_token(first["id"], "deploys")
    api.create_token(second["id"], "deploys")

    response = client.post(
        f"{ACCOUNTS}/{first['id']}/token",
        json={"description": "deploys", "expiresAt": "2031-01-01T00:00:00Z"},
        headers=ADMIN_HEADERS,
    )

    assert response.status_code == 409
    assert response.get_json() == error_body(
        "NameExistsError", "PAT description already exists."
    )


def test_the_eleventh_token_is_refused_with_403(api: Api, client: FlaskClient) -> None:
    account = api.create_account()
    for index in range(10):
        api.create_token(account["id"], f"token {index}")

    response = client.post(
        f"{ACCOUNTS}/{account['id']}/token",
        json={"description": "one too many", "expiresAt": "2030-01-01T00:00:00Z"},
        headers=ADMIN_HEADERS,
    )

    assert response.status_code == 403
    assert response.get_json() == error_body(
        "OperationDeniedError", "Too many PATs (10) already exist for this user."
    )


def test_deleting_a_token_makes_room_under_the_limit(
    api: Api, client: FlaskClient
) -> None:
    account = api.create_account()
    tokens = [api.create_token(account["id"], f"token {i}") for i in range(10)]
    client.delete(
        f"{ACCOUNTS}/{account['id']}/token/{tokens[0]['id']}", headers=ADMIN_HEADERS
    )

    replacement = api.create_token(account["id"], "token 0")

    assert replacement["id"] == 11


def test_delete_answers_200_with_no_body_and_the_token_is_gone(
    api: Api, client: FlaskClient
) -> None:
    account = api.create_account()
    token = api.create_token(account["id"])

    response = client.delete(
        f"{ACCOUNTS}/{account['id']}/token/{token['id']}", headers=ADMIN_HEADERS
    )

    assert response.status_code == 200
    assert response.data == b""
    assert client.get(
        f"{ACCOUNTS}/{account['id']}/token", headers=ADMIN_HEADERS
    ).get_json() == {"pats": []}
    assert (
        client.get(ACCOUNTS, headers={"Authorization": token["secret"]}).status_code
        == 401
    )


@pytest.mark.parametrize(
    "token_path",
    [
        pytest.param("99", id="unknown"),
        pytest.param("abc", id="non-numeric"),
        pytest.param("1%27%20OR%201%3D1", id="sql-text"),
    ],
)
def test_deleting_an_unknown_token_answers_404(
    api: Api, client: FlaskClient, token_path: str
) -> None:
    account = api.create_account()

    response = client.delete(
        f"{ACCOUNTS}/{account['id']}/token/{token_path}", headers=ADMIN_HEADERS
    )

    assert response.status_code == 404
    assert response.get_json() == error_body(
        "NotFoundError",
        f"Could not find a token with id {unquote(token_path)!r} on service "
        f"account {account['id']}.",
    )


def test_a_token_of_another_account_is_not_found_under_this_one(
    api: Api, client: FlaskClient
) -> None:
    owner = api.create_account("owner")
    other = api.create_account("other")
    token = api.create_token(owner["id"])

    response = client.delete(
        f"{ACCOUNTS}/{other['id']}/token/{token['id']}", headers=ADMIN_HEADERS
    )

    assert response.status_code == 404
    assert response.get_json() == error_body(
        "NotFoundError", "Could not find a token with id '1' on service account 2."
    )


def test_token_calls_on_an_unknown_account_answer_404(client: FlaskClient) -> None:
    response = client.post(
        f"{ACCOUNTS}/42/token",
        json={"description": "ci", "expiresAt": "2030-01-01T00:00:00Z"},
        headers=ADMIN_HEADERS,
    )

    assert response.status_code == 404
    assert response.get_json() == error_body(
        "NotFoundError", "Could not find a service account with id '42'."
    )


def test_a_token_create_without_its_fields_names_both_in_a_400(
    api: Api, client: FlaskClient
) -> None:
    account = api.create_account()

    response = client.post(
        f"{ACCOUNTS}/{account['id']}/token", json={}, headers=ADMIN_HEADERS
    )

    assert response.status_code == 400
    assert response.get_json() == bad_data(
        required("/body/description"), required("/body/expiresAt")
    )


def test_a_token_create_over_100_kb_answers_413_and_creates_nothing(
    api: Api, client: FlaskClient
) -> None:
    account = api.create_account()
    body = b'{"description": "' + b"x" * (100 * 1024) + b'"}'

    response = client.post(
        f"{ACCOUNTS}/{account['id']}/token",
        data=body,
        headers={**ADMIN_HEADERS, "Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert response.get_json() == error_body(
        "PayloadTooLargeError", "request entity too large"
    )
    assert client.get(
        f"{ACCOUNTS}/{account['id']}/token", headers=ADMIN_HEADERS
    ).get_json() == {"pats": []}
