"""Forced answers: session faults and the per-request ``Prefer: code=`` header."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import Api
from tests.matchers import ADMIN_HEADERS, error_body

ACCOUNTS = "/api/admin/service-account"
NEW_ACCOUNT = {"username": "bot", "name": "Bot", "rootRole": 2}
# A forced 409 names the username the request asked for, as a real clash would.
USERNAME_TAKEN = error_body(
    "NameExistsError",
    "A service account or user with the username 'bot' already exists. "
    "Choose another username.",
)


def create(client: FlaskClient, username: str, **headers: str) -> int:
    response = client.post(
        ACCOUNTS,
        json={**NEW_ACCOUNT, "username": username},
        headers={**ADMIN_HEADERS, **headers},
    )
    return response.status_code


def test_the_next_two_creates_answer_409_then_creates_work_again(
    client: FlaskClient,
) -> None:
    added = client.post(
        "/__mock/faults",
        json={"operation": "createServiceAccount", "status": 409, "times": 2},
    )

    first = client.post(ACCOUNTS, json=NEW_ACCOUNT, headers=ADMIN_HEADERS)
    statuses = [first.status_code] + [create(client, f"bot-{i}") for i in range(2)]
    faults = client.get("/__mock/faults").get_json()

    assert (added.status_code, added.get_json()) == (
        201,
        {
            "id": 1,
            "spec": {"operation": "createServiceAccount", "status": 409, "times": 2},
            "remaining": 2,
            "calls": 0,
        },
    )
    assert first.get_json() == USERNAME_TAKEN
    assert statuses == [409, 409, 201]
    assert faults == {"faults": []}


def test_a_fault_without_times_lasts_until_removed(client: FlaskClient) -> None:
    client.post("/__mock/faults", json={"operation": "*", "status": 401})

    before = [create(client, f"bot-{i}") for i in range(3)]
    listed = client.get("/__mock/faults").get_json()
    removed = client.delete("/__mock/faults/1")
    after = create(client, "bot-after")

    assert before == [401, 401, 401]
    assert listed["faults"][0]["calls"] == 3
    assert listed["faults"][0]["remaining"] is None
    assert removed.status_code == 204
    assert after == 201


@pytest.mark.parametrize(
    ("operation", "status", "path", "body", "expected"),
    [
        pytest.param(
            "getServiceAccounts",
            403,
            ACCOUNTS,
            None,
            error_body(
                "PermissionError",
                "You don't have the required permissions to perform this operation. "
                'To perform this action, you need the "ADMIN" permission.',
                permissions=["ADMIN"],
            ),
            id="403",
        ),
        pytest.param(
            "updateServiceAccount",
            404,
            f"{ACCOUNTS}/2",
            {"name": "x"},
            error_body(
                "NotFoundError", "Could not find a service account with id '2'."
            ),
            id="404",
        ),
        pytest.param(
            "createServiceAccountToken",
            400,
            f"{ACCOUNTS}/2/token",
            {"description": "x", "expiresAt": "2030-01-01T00:00:00Z"},
            error_body("BadDataError", "The expiry date should be in future."),
            id="400-token",
        ),
        pytest.param(
            "createServiceAccountToken",
            409,
            f"{ACCOUNTS}/2/token",
            {"description": "x", "expiresAt": "2030-01-01T00:00:00Z"},
            error_body("NameExistsError", "PAT description already exists."),
            id="409-token",
        ),
    ],
)
def test_a_forced_status_answers_with_the_real_error_body(
    client: FlaskClient,
    operation: str,
    status: int,
    path: str,
    body: Any,
    expected: dict[str, Any],
) -> None:
    client.post("/__mock/faults", json={"operation": operation, "status": status})
    method = {"get": "GET", "update": "PUT", "create": "POST"}[
        "get" if operation.startswith("get") else operation[:6]
    ]

    response = client.open(path, method=method, json=body, headers=ADMIN_HEADERS)

    assert response.status_code == status
    assert response.get_json() == expected


def test_latency_delays_the_answer(client: FlaskClient) -> None:
    client.post(
        "/__mock/faults", json={"operation": "getServiceAccounts", "latencyMs": 300}
    )

    started = time.perf_counter()
    response = client.get(ACCOUNTS, headers=ADMIN_HEADERS)
    elapsed = time.perf_counter() - started

    assert response.status_code == 200
    assert elapsed >= 0.3


def test_a_seeded_error_rate_replays_the_same_way(client: FlaskClient) -> None:
    spec = {
        "operation": "createServiceAccount",
        "status": 403,
        "errorRate": 0.5,
        "seed": 7,
    }

    def run(session: str) -> list[int]:
        client.post("/__mock/faults", json=spec, headers={"X-Mock-Session": session})
        return [
            create(client, f"b{i}", **{"X-Mock-Session": session}) for i in range(20)
        ]

    first, second = run("one"), run("two")

    assert set(first) == {201, 403}
    assert 5 <= first.count(403) <= 15
    assert [code == 403 for code in first] == [code == 403 for code in second]


def test_faults_belong_to_their_session(client: FlaskClient) -> None:
    client.post(
        "/__mock/faults",
        json={"operation": "createServiceAccount", "status": 409},
        headers={"X-Mock-Session": "broken"},
    )

    assert create(client, "a", **{"X-Mock-Session": "broken"}) == 409
    assert create(client, "a") == 201


def test_clearing_faults_restores_normal_answers(client: FlaskClient) -> None:
    client.post("/__mock/faults", json={"operation": "*", "status": 403})
    client.post("/__mock/faults", json={"operation": "*", "latencyMs": 1})

    cleared = client.delete("/__mock/faults")

    assert cleared.status_code == 204
    assert client.get("/__mock/faults").get_json() == {"faults": []}
    assert create(client, "fine") == 201


@pytest.mark.parametrize(
    ("spec", "pointer", "message"),
    [
        pytest.param(
            {"operation": "createServiceAccount", "status": 500},
            "/body/status",
            "Status 500 is not documented for createServiceAccount. "
            "Use one of: 400, 401, 403, 409, 413, 415.",
            id="undocumented-status",
        ),
        pytest.param(
            {"operation": "getServiceAccounts", "status": 200},
            "/body/status",
            "Status 200 is a success of getServiceAccounts; a fault forces an "
            "error status. Use one of: 401, 403.",
            id="success-status",
        ),
        pytest.param(
            {"operation": "*", "status": 404},
            "/body/status",
            "Status 404 is not documented for getServiceAccounts. "
            "Use one of: 401, 403.",
            id="status-not-documented-everywhere",
        ),
        pytest.param(
            {"operation": "getServiceAccount", "status": 401},
            "/body/operation",
            "The fault cannot be added: 'getServiceAccount' is no operation; use one "
            "of *, getServiceAccounts, createServiceAccount, updateServiceAccount, "
            "deleteServiceAccount, getServiceAccountTokens, createServiceAccountToken, "
            "deleteServiceAccountToken.",
            id="unknown-operation",
        ),
        pytest.param(
            {"operation": "*", "errorRate": 0.5},
            "/body/errorRate",
            "The fault cannot be added: an error rate needs a status to answer.",
            id="rate-without-status",
        ),
        pytest.param(
            {"operation": "*"},
            "/body",
            "The fault cannot be added: a fault needs a status, a latency, or both to "
            "do anything.",
            id="no-effect",
        ),
        pytest.param(
            {"operation": "*", "latencyRangeMs": [500, 100]},
            "/body/latencyRangeMs",
            "The fault cannot be added: the range must be [low, high].",
            id="backwards-range",
        ),
    ],
)
def test_a_fault_that_makes_no_sense_is_refused(
    client: FlaskClient, spec: dict[str, Any], pointer: str, message: str
) -> None:
    response = client.post("/__mock/faults", json=spec)

    assert response.status_code == 400
    assert response.get_json()["message"] == message
    assert response.get_json()["details"][0]["path"] == pointer


def test_deleting_an_unknown_fault_answers_404(client: FlaskClient) -> None:
    response = client.delete("/__mock/faults/42")

    assert response.status_code == 404
    assert response.get_json() == error_body(
        "NotFoundError", "There is no fault with id 42."
    )


def test_prefer_forces_a_documented_error_for_one_request(
    api: Api, client: FlaskClient
) -> None:
    forced = client.post(
        ACCOUNTS, json=NEW_ACCOUNT, headers={**ADMIN_HEADERS, "Prefer": "code=409"}
    )
    normal = client.post(ACCOUNTS, json=NEW_ACCOUNT, headers=ADMIN_HEADERS)

    assert forced.status_code == 409
    assert forced.get_json() == USERNAME_TAKEN
    assert normal.status_code == 201


def test_prefer_with_the_success_status_answers_normally(client: FlaskClient) -> None:
    response = client.post(
        ACCOUNTS, json=NEW_ACCOUNT, headers={**ADMIN_HEADERS, "Prefer": "code=201"}
    )

    assert response.status_code == 201
    assert response.get_json()["username"] == "bot"


@pytest.mark.parametrize("code", ["500", "204", "abc"])
def test_prefer_with_an_undocumented_status_answers_400_listing_the_documented(
    client: FlaskClient, code: str
) -> None:
    response = client.get(ACCOUNTS, headers={**ADMIN_HEADERS, "Prefer": f"code={code}"})

    assert response.status_code == 400
    assert response.get_json() == error_body(
        "BadDataError",
        f"Status {code} is not documented for getServiceAccounts. "
        "Use one of: 200, 401, 403.",
        [{"path": "/header/Prefer", "message": "Allowed: 200, 401, 403."}],
    )


def test_prefer_wins_over_a_fault_and_leaves_it_unused(client: FlaskClient) -> None:
    client.post(
        "/__mock/faults",
        json={"operation": "createServiceAccount", "status": 409, "times": 1},
    )

    preferred = client.post(
        ACCOUNTS, json=NEW_ACCOUNT, headers={**ADMIN_HEADERS, "Prefer": "code=403"}
    )
    faulted = create(client, "after")

    assert (preferred.status_code, faulted) == (403, 409)


def test_other_preferences_are_ignored(client: FlaskClient) -> None:
    response = client.get(
        ACCOUNTS,
        headers={**ADMIN_HEADERS, "Prefer": "return=minimal, respond-async"},
    )

    assert response.status_code == 200


def test_a_forced_409_without_a_username_names_a_stand_in(client: FlaskClient) -> None:
    forced = client.post(
        ACCOUNTS,
        data="{not json",
        headers={
            **ADMIN_HEADERS,
            "Prefer": "code=409",
            "Content-Type": "application/json",
        },
    )

    assert forced.status_code == 409
    assert forced.get_json() == error_body(
        "NameExistsError",
        "A service account or user with the username 'service-account' already "
        "exists. Choose another username.",
    )
