"""Fixtures: the default seed, loading files, refusing bad ones, and dumps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mock_server import MockConfig, create_app
from mock_server.database import Database
from mock_server.errors import StartupError
from mock_server.fixtures import (
    InvalidFixture,
    default_seed,
    fixture_from_snapshot,
    read_fixture_file,
    snapshot_from_fixture,
)
from mock_server.store import Store
from tests.conftest import START, FakeClock
from tests.matchers import ADMIN_HEADERS

ACCOUNTS = "/api/admin/service-account"
SEEDED_VIEWER_SECRET = "user:4f23cedc9a4ee58013dc32acba43da30c29eefed2db980281ccac20f"
SEEDED_ADMIN_SECRET = "user:cb54620244a8b64ec8b6fd932b7c1bf929c52a358385c52e8da971c9"
SEEDED_EXPIRED_SECRET = "user:8a770b3b5f80553eebf91cb3e00b0c08c7c73d6816fe8db2245ee9a4"


def test_the_default_seed_lists_three_accounts_with_tokens(clock: FakeClock) -> None:
    client = create_app(MockConfig(clock=clock)).test_client()

    body = client.get(ACCOUNTS, headers=ADMIN_HEADERS).get_json()

    assert [
        (
            account["id"],
            account["username"],
            account["rootRole"],
            len(account["tokens"]),
        )
        for account in body["serviceAccounts"]
    ] == [
        (2, "ci-pipeline", 1, 2),
        (3, "release-bot", 2, 1),
        (4, "metrics-dashboard", 3, 2),
    ]
    assert [role["name"] for role in body["rootRoles"]] == ["Admin", "Editor", "Viewer"]


@pytest.mark.parametrize(
    ("secret", "status"),
    [
        pytest.param(SEEDED_ADMIN_SECRET, 200, id="admin-account"),
        pytest.param(SEEDED_VIEWER_SECRET, 403, id="viewer-account"),
        pytest.param(SEEDED_EXPIRED_SECRET, 401, id="expired"),
    ],
)
def test_seeded_tokens_authenticate_as_documented(
    clock: FakeClock, secret: str, status: int
) -> None:
    client = create_app(MockConfig(clock=clock)).test_client()

    response = client.get(ACCOUNTS, headers={"Authorization": secret})

    assert response.status_code == status


def test_new_ids_follow_the_seeded_ones(clock: FakeClock) -> None:
    client = create_app(MockConfig(clock=clock)).test_client()

    account = client.post(
        ACCOUNTS,
        json={"username": "new", "name": "New", "rootRole": 2},
        headers=ADMIN_HEADERS,
    ).get_json()
    token = client.post(
        f"{ACCOUNTS}/{account['id']}/token",
        json={"description": "t", "expiresAt": "2030-01-01T00:00:00Z"},
        headers=ADMIN_HEADERS,
    ).get_json()

    assert (account["id"], token["id"]) == (5, 6)


def test_a_fixture_may_leave_out_ids_names_and_timestamps() -> None:
    document = {
        "users": [{"username": "alice"}],
        "serviceAccounts": [
            {"id": 10, "username": "bot", "rootRole": 3},
            {
                "username": "other",
                "rootRole": 2,
                "tokens": [{"description": "t", "expiresAt": "2030-01-01T00:00:00Z"}],
            },
        ],
    }

    snapshot = snapshot_from_fixture(document, START)

    assert [(user.id, user.username, user.name) for user in snapshot.users] == [
        (11, "alice", "")
    ]
    assert [(account.id, account.created_at) for account in snapshot.accounts] == [
        (10, START),
        (12, START),
    ]
    assert [(token.id, token.created_at) for token in snapshot.accounts[1].tokens] == [
        (1, START)
    ]


@pytest.mark.parametrize(
    ("document", "location", "problem"),
    [
        pytest.param(
            {"serviceAccounts": [{"username": "x", "rootRole": "Admin"}]},
            "/serviceAccounts/0/rootRole",
            "'Admin' is not of type 'integer'",
            id="wrong-type",
        ),
        pytest.param(
            {"serviceAccounts": [{"username": "x"}]},
            "/serviceAccounts/0",
            "'rootRole' is a required property",
            id="missing-field",
        ),
        pytest.param(
            {"accounts": []},
            "/",
            "Additional properties are not allowed ('accounts' was unexpected)",
            id="unknown-key",
        ),
        pytest.param(
            {
                "serviceAccounts": [
                    {
                        "username": "x",
                        "rootRole": 1,
                        "tokens": [
                            {"description": "t", "expiresAt": "2030-13-01T00:00:00Z"}
                        ],
                    }
                ]
            },
            "/serviceAccounts/0/tokens/0/expiresAt",
            "'2030-13-01T00:00:00Z' is not a 'date-time'",
            id="bad-date",
        ),
        pytest.param(
            {
                "serviceAccounts": [
                    {
                        "username": "x",
                        "rootRole": 1,
                        "tokens": [
                            {"description": "t", "expiresAt": "2030-12-31T23:59:60Z"}
                        ],
                    }
                ]
            },
            "/serviceAccounts/0/tokens/0/expiresAt",
            "'2030-12-31T23:59:60Z' is not a 'date-time'",
            id="leap-second",
        ),
    ],
)
def test_an_invalid_fixture_is_refused_with_where_and_why(
    document: dict[str, Any], location: str, problem: str
) -> None:
    with pytest.raises(InvalidFixture) as raised:
        snapshot_from_fixture(document, START, "seed.json")

    assert (raised.value.location or "/", raised.value.problem) == (location, problem)
    assert str(raised.value) == f"seed.json: at {location}: {problem}"


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        pytest.param(
            {
                "users": [{"username": "a"}],
                "serviceAccounts": [{"username": "a", "rootRole": 1}],
            },
            "the username 'a' is used twice",
            id="username-twice",
        ),
        pytest.param(
            {
                "serviceAccounts": [
                    {"id": 2, "username": "a", "rootRole": 1},
                    {"id": 2, "username": "b", "rootRole": 1},
                ]
            },
            "user id 2 is used twice",
            id="id-twice",
        ),
        pytest.param(
            {"serviceAccounts": [{"username": "a", "rootRole": 9}]},
            "service account 1 has the unknown root role 9",
            id="unknown-role",
        ),
        pytest.param(
            {
                "serviceAccounts": [
                    {
                        "username": "a",
                        "rootRole": 1,
                        "tokens": [
                            {
                                "description": f"t{i}",
                                "expiresAt": "2030-01-01T00:00:00Z",
                            }
                            for i in range(11)
                        ],
                    }
                ]
            },
            "service account 1 has 11 tokens; the limit is 10",
            id="too-many-tokens",
        ),
    ],
)
def test_a_seed_breaking_an_invariant_stops_start_up(
    clock: FakeClock, document: dict[str, Any], problem: str
) -> None:
    with pytest.raises(StartupError) as raised:
        create_app(MockConfig(seed=document, seed_source="seed.json", clock=clock))

    assert str(raised.value) == f"Cannot load the seed seed.json: {problem}."


def test_a_dump_leaves_secrets_out_but_its_tokens_still_authenticate(
    clock: FakeClock,
) -> None:
    store = Store(Database(), clock=clock)
    store.restore(snapshot_from_fixture(default_seed(), START))

    dump = fixture_from_snapshot(store.snapshot())
    reloaded = create_app(MockConfig(seed=dump, clock=clock)).test_client()

    assert SEEDED_ADMIN_SECRET not in json.dumps(dump)
    assert "secret" not in {
        key
        for account in dump["serviceAccounts"]
        for token in account["tokens"]
        for key in token
    }
    assert (
        reloaded.get(
            ACCOUNTS, headers={"Authorization": SEEDED_ADMIN_SECRET}
        ).status_code
        == 200
    )


def test_a_dump_loads_back_to_the_same_state(clock: FakeClock) -> None:
    store = Store(Database(), clock=clock)
    store.restore(snapshot_from_fixture(default_seed(), START))
    store.delete_account("4")

    dump = fixture_from_snapshot(store.snapshot())
    again = Store(Database(), clock=clock)
    again.restore(snapshot_from_fixture(dump, START))

    assert again.snapshot() == store.snapshot()
    assert dump["lastIds"] == {"user": 4, "token": 5}


def test_a_fixture_file_that_is_not_json_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "seed.json"
    path.write_text("{nope")

    with pytest.raises(InvalidFixture) as raised:
        read_fixture_file(path)

    assert str(raised.value) == (
        f"{path}: at /: not JSON: Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1)"
    )
