"""Listing, creating, updating and deleting service accounts."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.conftest import Api, FakeClock
from tests.matchers import (
    ADMIN_HEADERS,
    bad_data,
    error_body,
    not_found_account,
    required,
)

ACCOUNTS = "/api/admin/service-account"
CI_BOT_IMAGE = (
    "https://gravatar.com/avatar/"
    "dcf1f059cedd01b2d9347bd1010bbabdbc54616cf25e2d6c5d103e63b64f0def"
    "?s=42&d=retro&r=g"
)
ADMIN_ROLE = {
    "id": 1,
    "type": "root",
    "name": "Admin",
    "description": "Manages every part of Unleash.",
}
VIEWER_ROLE = {
    "id": 3,
    "type": "root",
    "name": "Viewer",
    "description": "Reads everything and changes nothing.",
}


def ci_bot(account_id: int = 1, **changes: object) -> dict[str, object]:
    return {
        "id": account_id,
        "username": "ci-bot",
        "name": "CI bot",
        "imageUrl": CI_BOT_IMAGE,
        "rootRole": 1,
        "createdAt": "2026-12-01T12:00:00.000Z",
        "tokens": [],
        **changes,
    }


def test_list_is_empty_without_a_seed(client: FlaskClient) -> None:
    response = client.get(ACCOUNTS, headers=ADMIN_HEADERS)

    assert response.status_code == 200
    assert response.get_json() == {"serviceAccounts": [], "rootRoles": []}


def test_create_answers_201_with_the_account_and_its_location(
    client: FlaskClient,
) -> None:
    response = client.post(
        ACCOUNTS,
        json={"username": "ci-bot", "name": "CI bot", "rootRole": 1},
        headers=ADMIN_HEADERS,
    )

    assert response.status_code == 201
    assert response.get_json() == ci_bot()
    assert (
        response.headers["location"] == "http://localhost/api/admin/service-account/1"
    )


def test_created_account_is_listed_with_its_tokens_and_roles(
    api: Api, client: FlaskClient
) -> None:
    account = api.create_account()
    api.create_account("reader", "Reader", root_role=3)
    token = api.create_token(account["id"], "deploys")

    response = client.get(ACCOUNTS, headers=ADMIN_HEADERS)

    assert response.status_code == 200
    assert response.get_json() == {
        "serviceAccounts": [
            ci_bot(
                tokens=[
                    {
                        "id": token["id"],
                        "description": "deploys",
                        "expiresAt": "2030-01-01T00:00:00.000Z",
                        "createdAt": "2026-12-01T12:00:00.000Z",
                        "seenAt": None,
                    }
                ]
            ),
            {
                "id": 2,
                "username": "reader",
                "name": "Reader",
                "imageUrl": "https://gravatar.com/avatar/"
                "3d0941964aa3ebdcb00ccef58b1bb399f9f898465e9886d5aec7f31090a0fb30"
                "?s=42&d=retro&r=g",
                "rootRole": 3,
                "createdAt": "2026-12-01T12:00:00.000Z",
                "tokens": [],
            },
        ],
        "rootRoles": [ADMIN_ROLE, VIEWER_ROLE],
    }


def test_ids_increase_and_are_never_reused(api: Api, client: FlaskClient) -> None:
    first = api.create_account("first")
    client.delete(f"{ACCOUNTS}/{first['id']}", headers=ADMIN_HEADERS)

    second = api.create_account("first")

    assert (first["id"], second["id"]) == (1, 2)


def test_update_changes_name_and_root_role_and_persists(
    api: Api, client: FlaskClient
) -> None:
    account = api.create_account()

    response = client.put(
        f"{ACCOUNTS}/{account['id']}",
        json={"name": "Renamed", "rootRole": 3},
        headers=ADMIN_HEADERS,
    )

    assert response.status_code == 200
    assert response.get_json() == ci_bot(name="Renamed", rootRole=3)
    assert api.list_accounts()["serviceAccounts"] == [
        ci_bot(name="Renamed", rootRole=3)
    ]


def test_update_ignores_username_and_unknown_keys_as_the_web_ui_sends_them(
    api: Api, client: FlaskClient
) -> None:
    account = api.create_account()

    response = client.put(
        f"{ACCOUNTS}/{account['id']}",
        json={"name": "Renamed", "username": "hijacked", "rootRole": 1, "x": [1]},
        headers=ADMIN_HEADERS,
    )

    assert response.status_code == 200
    assert response.get_json() == ci_bot(name="Renamed")


def test_update_with_an_empty_body_changes_nothing(
    api: Api, client: FlaskClient
) -> None:
    account = api.create_account()

    response = client.put(f"{ACCOUNTS}/{account['id']}", json={}, headers=ADMIN_HEADERS)

    assert response.status_code == 200
    assert response.get_json() == ci_bot()


def test_delete_answers_200_with_no_body_and_frees_the_username(
    api: Api, client: FlaskClient
) -> None:
    account = api.create_account()

    response = client.delete(f"{ACCOUNTS}/{account['id']}", headers=ADMIN_HEADERS)

    assert response.status_code == 200
    assert response.data == b""
    assert "Content-Type" not in response.headers
    assert api.list_accounts() == {"serviceAccounts": [], "rootRoles": []}
    assert api.create_account()["id"] == 2


def test_delete_removes_the_accounts_tokens(api: Api, client: FlaskClient) -> None:
    account = api.create_account()
    token = api.create_token(account["id"])
    client.delete(f"{ACCOUNTS}/{account['id']}", headers=ADMIN_HEADERS)

    response = client.get(ACCOUNTS, headers={"Authorization": token["secret"]})

    assert response.status_code == 401


def test_duplicate_username_is_refused_with_409(api: Api, client: FlaskClient) -> None:
    api.create_account()

    response = client.post(
        ACCOUNTS,
        json={"username": "ci-bot", "name": "Other", "rootRole": 2},
        headers=ADMIN_HEADERS,
    )

    assert response.status_code == 409
    assert response.get_json() == error_body(
        "NameExistsError",
        "A service account or user with the username 'ci-bot' already exists. "
        "Choose another username.",
    )


def test_usernames_differing_in_case_are_distinct(api: Api) -> None:
    api.create_account("ci-bot")

    other = api.create_account("CI-BOT")

    assert other["username"] == "CI-BOT"


@pytest.mark.parametrize(
    ("body", "details"),
    [
        pytest.param(
            {"username": "a", "name": "b"},
            [required("/body/rootRole")],
            id="missing-root-role",
        ),
        pytest.param(
            {},
            [
                required("/body/username"),
                required("/body/name"),
                required("/body/rootRole"),
            ],
            id="empty-object",
        ),
        pytest.param(
            {"username": "a", "name": "b", "rootRole": "Admin"},
            [
                {
                    "path": "/body/rootRole",
                    "message": "The `/body/rootRole` property must be integer. "
                    'You sent "Admin".',
                }
            ],
            id="root-role-as-name",
        ),
        pytest.param(
            {"username": "a", "name": "b", "rootRole": 1.5},
            [
                {
                    "path": "/body/rootRole",
                    "message": "The `/body/rootRole` property must be integer. "
                    "You sent 1.5.",
                }
            ],
            id="fractional-root-role",
        ),
        pytest.param(
            [1, 2],
            [
                {
                    "path": "/body",
                    "message": "The `/body` property must be object. You sent [1, 2].",
                }
            ],
            id="array-body",
        ),
    ],
)
def test_create_with_invalid_body_answers_400_naming_each_field(
    client: FlaskClient, body: object, details: list[dict[str, str]]
) -> None:
    response = client.post(ACCOUNTS, json=body, headers=ADMIN_HEADERS)

    assert response.status_code == 400
    assert response.get_json() == bad_data(*details)


@pytest.mark.parametrize("root_role", [0, 4, 999999, 10**30])
def test_create_with_unknown_root_role_answers_400(
    client: FlaskClient, root_role: int
) -> None:
    response = client.post(
        ACCOUNTS,
        json={"username": "a", "name": "b", "rootRole": root_role},
        headers=ADMIN_HEADERS,
    )

    assert response.status_code == 400
    assert response.get_json() == error_body(
        "BadDataError",
        f"There is no root role with id {root_role}. "
        "Use one of: 1 (Admin), 2 (Editor), 3 (Viewer).",
        [
            {
                "path": "/body/rootRole",
                "message": f"The root role {root_role} does not exist.",
            }
        ],
    )


def test_update_with_unknown_root_role_answers_400_and_changes_nothing(
    api: Api, client: FlaskClient
) -> None:
    account = api.create_account()

    response = client.put(
        f"{ACCOUNTS}/{account['id']}",
        json={"name": "Renamed", "rootRole": 7},
        headers=ADMIN_HEADERS,
    )

    assert response.status_code == 400
    assert response.get_json() == error_body(
        "BadDataError",
        "There is no root role with id 7. Use one of: 1 (Admin), 2 (Editor), "
        "3 (Viewer).",
        [{"path": "/body/rootRole", "message": "The root role 7 does not exist."}],
    )
    assert api.list_accounts()["serviceAccounts"] == [ci_bot()]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("put", f"{ACCOUNTS}/99", id="update-unknown"),
        pytest.param("put", f"{ACCOUNTS}/abc", id="update-non-numeric"),
        pytest.param("delete", f"{ACCOUNTS}/99", id="delete-unknown"),
        pytest.param("delete", f"{ACCOUNTS}/abc", id="delete-non-numeric"),
        pytest.param("delete", f"{ACCOUNTS}/-1", id="delete-negative"),
        pytest.param("delete", f"{ACCOUNTS}/1.0", id="delete-decimal"),
        pytest.param("delete", f"{ACCOUNTS}/%D9%A3", id="delete-arabic-digit"),
        pytest.param("get", f"{ACCOUNTS}/99/token", id="tokens-unknown"),
        pytest.param("get", f"{ACCOUNTS}/0/token", id="tokens-zero"),
        pytest.param(
            "delete", f"{ACCOUNTS}/{'9' * 40}/token/1", id="token-delete-huge-id"
        ),
    ],
)
def test_unknown_or_non_numeric_ids_answer_404(
    client: FlaskClient, method: str, path: str
) -> None:
    response = client.open(path, method=method.upper(), json={}, headers=ADMIN_HEADERS)
    raw_id = path.removeprefix(f"{ACCOUNTS}/").split("/")[0]
    raw_id = raw_id.replace("%D9%A3", "\u0663")

    assert response.status_code == 404
    assert response.get_json() == not_found_account(raw_id)


def test_created_at_comes_from_the_clock(
    client: FlaskClient, api: Api, clock: FakeClock
) -> None:
    clock.advance(days=1, milliseconds=250)

    account = api.create_account()

    assert account["createdAt"] == "2026-12-02T12:00:00.250Z"


def test_update_with_wrongly_typed_fields_names_each_in_a_400(
    api: Api, client: FlaskClient
) -> None:
    account = api.create_account()

    response = client.put(
        f"{ACCOUNTS}/{account['id']}",
        json={"name": 5, "rootRole": "x"},
        headers=ADMIN_HEADERS,
    )

    assert response.status_code == 400
    assert response.get_json() == bad_data(
        {
            "path": "/body/name",
            "message": "The `/body/name` property must be string. You sent 5.",
        },
        {
            "path": "/body/rootRole",
            "message": 'The `/body/rootRole` property must be integer. You sent "x".',
        },
    )
    assert api.list_accounts()["serviceAccounts"] == [ci_bot()]


def test_an_update_over_100_kb_answers_413_and_changes_nothing(
    api: Api, client: FlaskClient
) -> None:
    account = api.create_account()
    body = b'{"name": "' + b"x" * (100 * 1024) + b'"}'

    response = client.put(
        f"{ACCOUNTS}/{account['id']}",
        data=body,
        headers={**ADMIN_HEADERS, "Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert response.get_json() == error_body(
        "PayloadTooLargeError", "request entity too large"
    )
    assert api.list_accounts()["serviceAccounts"] == [ci_bot()]
