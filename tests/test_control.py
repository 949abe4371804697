"""The control API under /__mock/: state, snapshots and sessions."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from mock_server.fixtures import default_seed
from tests.conftest import Api
from tests.matchers import ADMIN_HEADERS, error_body

ACCOUNTS = "/api/admin/service-account"
# SHA-256 of the seeded "GitHub Actions" token's secret.
GITHUB_ACTIONS_HASH = "f7598bb422146a1192d6b5cde1e7ea0a408362ebe9651176630c875d9aa46211"
ONE_ACCOUNT = {
    "serviceAccounts": [
        {"id": 7, "username": "loaded", "name": "Loaded", "rootRole": 2, "tokens": []}
    ]
}


@pytest.fixture
def seed() -> dict[str, Any]:
    return default_seed()


def usernames(client: FlaskClient, session: str | None = None) -> list[str]:
    headers = {**ADMIN_HEADERS, **({"X-Mock-Session": session} if session else {})}
    body = client.get(ACCOUNTS, headers=headers).get_json()
    return [account["username"] for account in body["serviceAccounts"]]


def test_dump_writes_the_state_as_a_fixture_without_secrets(
    client: FlaskClient,
) -> None:
    response = client.get("/__mock/state")

    body = response.get_json()
    assert response.status_code == 200
    assert body["users"] == [{"id": 1, "username": "admin", "name": "Admin"}]
    assert [account["username"] for account in body["serviceAccounts"]] == [
        "ci-pipeline",
        "release-bot",
        "metrics-dashboard",
    ]
    assert body["serviceAccounts"][0]["tokens"][0] == {
        "id": 1,
        "description": "GitHub Actions",
        "secretHash": GITHUB_ACTIONS_HASH,
        "createdAt": "2026-01-12T09:31:00.000Z",
        "expiresAt": "3026-01-12T09:31:00.000Z",
        "seenAt": "2026-11-30T17:02:11.000Z",
    }
    assert body["lastIds"] == {"user": 4, "token": 5}
    assert "user:" not in response.get_data(as_text=True)


def test_load_replaces_the_state(client: FlaskClient) -> None:
    response = client.put("/__mock/state", json=ONE_ACCOUNT)

    assert response.status_code == 200
    assert response.get_json() == {
        "session": "default",
        "users": 0,
        "serviceAccounts": 1,
        "tokens": 0,
    }
    assert usernames(client) == ["loaded"]


def test_a_dump_loads_back_unchanged(api: Api, client: FlaskClient) -> None:
    api.create_account("extra")
    dump = client.get("/__mock/state").get_json()
    client.post("/__mock/reset")

    client.put("/__mock/state", json=dump)

    assert client.get("/__mock/state").get_json() == dump


@pytest.mark.parametrize(
    ("fixture", "pointer", "problem"),
    [
        pytest.param(
            {"serviceAccounts": [{"username": "x", "rootRole": "Admin"}]},
            "/body/serviceAccounts/0/rootRole",
            "The `/body/serviceAccounts/0/rootRole` property must be integer. "
            'You sent "Admin".',
            id="schema",
        ),
        pytest.param(
            {"serviceAccounts": [{"username": "x", "rootRole": 9}]},
            "/body",
            "service account 1 has the unknown root role 9",
            id="invariant",
        ),
    ],
)
def test_an_invalid_fixture_is_refused_and_the_state_kept(
    client: FlaskClient, fixture: dict[str, Any], pointer: str, problem: str
) -> None:
    response = client.put("/__mock/state", json=fixture)

    assert response.status_code == 400
    assert response.get_json()["details"] == [{"path": pointer, "message": problem}]
    assert len(usernames(client)) == 3


def test_a_fixture_far_over_the_api_body_limit_loads(client: FlaskClient) -> None:
    accounts = [
        {"username": f"bot-{number}", "name": "x" * 100, "rootRole": 2}
        for number in range(2_000)
    ]

    response = client.put(
        "/__mock/state", json={"users": [], "serviceAccounts": accounts}
    )

    assert response.status_code == 200
    assert response.get_json() == {
        "session": "default",
        "users": 0,
        "serviceAccounts": 2_000,
        "tokens": 0,
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("PUT", "/__mock/state", id="load-state"),
        pytest.param("POST", "/__mock/faults", id="add-fault"),
    ],
)
def test_a_control_body_over_64_mib_answers_413_and_changes_nothing(
    client: FlaskClient, method: str, path: str
) -> None:
    body = b'{"pad": "' + b"x" * (64 * 1024 * 1024) + b'"}'

    response = client.open(
        path, method=method, data=body, content_type="application/json"
    )

    assert response.status_code == 413
    assert response.get_json() == error_body(
        "PayloadTooLargeError", "request entity too large"
    )
    assert len(usernames(client)) == 3
    assert client.get("/__mock/faults").get_json() == {"faults": []}


def test_a_non_json_load_answers_415(client: FlaskClient) -> None:
    response = client.put("/__mock/state", data="{}", content_type="text/plain")

    assert response.status_code == 415
    assert response.get_json()["name"] == "ContentTypeError"


def test_reset_returns_to_the_seed_and_its_ids(api: Api, client: FlaskClient) -> None:
    api.create_account("extra")
    client.delete(f"{ACCOUNTS}/2", headers=ADMIN_HEADERS)

    response = client.post("/__mock/reset")
    again = api.create_account("after-reset")

    assert response.get_json() == {
        "session": "default",
        "users": 1,
        "serviceAccounts": 3,
        "tokens": 5,
    }
    assert usernames(client)[:3] == ["ci-pipeline", "release-bot", "metrics-dashboard"]
    assert again["id"] == 5


def test_snapshots_save_list_restore_and_delete(api: Api, client: FlaskClient) -> None:
    api.create_account("kept")
    saved = client.put("/__mock/snapshots/with-kept")
    client.post("/__mock/reset")

    listed = client.get("/__mock/snapshots")
    restored = client.post("/__mock/snapshots/with-kept/restore")
    after_restore = usernames(client)
    deleted = client.delete("/__mock/snapshots/with-kept")
    missing = client.post("/__mock/snapshots/with-kept/restore")

    summary = {"users": 1, "serviceAccounts": 4, "tokens": 5}
    assert (saved.status_code, saved.get_json()) == (
        200,
        {"name": "with-kept", **summary},
    )
    assert listed.get_json() == {"snapshots": [{"name": "with-kept", **summary}]}
    assert restored.get_json() == {"session": "default", **summary}
    assert after_restore[-1] == "kept"
    assert (deleted.status_code, deleted.data) == (204, b"")
    assert missing.status_code == 404
    assert missing.get_json() == error_body(
        "NotFoundError", "There is no snapshot named 'with-kept'."
    )


def test_a_snapshot_survives_a_reset(client: FlaskClient) -> None:
    client.put("/__mock/snapshots/base")

    client.post("/__mock/reset")

    assert [
        item["name"] for item in client.get("/__mock/snapshots").get_json()["snapshots"]
    ] == ["base"]


def test_a_snapshot_name_must_be_plain(client: FlaskClient) -> None:
    response = client.put("/__mock/snapshots/bad%20name%21")

    assert response.status_code == 400
    assert response.get_json()["details"][0]["path"] == "/params/name"


def test_sessions_do_not_see_each_other(client: FlaskClient) -> None:
    client.post(
        ACCOUNTS,
        json={"username": "alice-only", "name": "A", "rootRole": 2},
        headers={**ADMIN_HEADERS, "X-Mock-Session": "alice"},
    )

    alice = usernames(client, "alice")
    bob = usernames(client, "bob")
    default = usernames(client)

    assert alice[-1] == "alice-only"
    assert "alice-only" not in bob + default
    assert client.get("/__mock/sessions").get_json() == {
        "sessions": ["alice", "bob", "default"]
    }


def test_control_operations_act_on_the_callers_session(client: FlaskClient) -> None:
    client.put("/__mock/state", json=ONE_ACCOUNT, headers={"X-Mock-Session": "ci-7"})

    assert usernames(client, "ci-7") == ["loaded"]
    assert len(usernames(client)) == 3


def test_a_deleted_session_starts_again_from_the_seed(client: FlaskClient) -> None:
    client.put("/__mock/state", json=ONE_ACCOUNT, headers={"X-Mock-Session": "temp"})

    deleted = client.delete("/__mock/sessions/temp")
    missing = client.delete("/__mock/sessions/temp")

    assert deleted.status_code == 204
    assert missing.get_json() == error_body(
        "NotFoundError", "There is no session named 'temp'."
    )
    assert len(usernames(client, "temp")) == 3


@pytest.mark.parametrize("name", ["", "-leading-dash", "a b", "x" * 65, "ünïcode"])
def test_an_invalid_session_name_answers_400(client: FlaskClient, name: str) -> None:
    response = client.get(
        ACCOUNTS,
        headers={**ADMIN_HEADERS, "X-Mock-Session": name.encode().decode("latin-1")},
    )

    assert response.status_code == 400
    assert response.get_json()["details"] == [
        {
            "path": "/header/X-Mock-Session",
            "message": "The `X-Mock-Session` header names no valid session.",
        }
    ]


def test_the_session_operations_ignore_the_callers_session_header(
    client: FlaskClient,
) -> None:
    # Listing and deleting act across sessions: a session header, even a
    # malformed one or a new name, neither fails them nor creates a session.
    header = {"X-Mock-Session": "a b"}

    listed = client.get("/__mock/sessions", headers=header)
    listed_as_new = client.get("/__mock/sessions", headers={"X-Mock-Session": "new"})
    deleted = client.delete("/__mock/sessions/nobody", headers=header)

    assert (listed.status_code, listed.get_json()) == (200, {"sessions": ["default"]})
    assert listed_as_new.get_json() == {"sessions": ["default"]}
    assert (deleted.status_code, deleted.get_json()) == (
        404,
        error_body("NotFoundError", "There is no session named 'nobody'."),
    )
