"""Lists kept between changes: the next list after any change to the records
shows it, whichever request, session or process made the change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_server import MockConfig, create_app
from mock_server.database import Database
from mock_server.handlers import Call, Reply, list_accounts
from mock_server.lists import KEPT_SESSIONS, MAX_KEPT_ACCOUNTS, BuiltLists
from mock_server.pipeline import Endpoint
from mock_server.refusals import ContractViolation
from mock_server.sessions import Sessions
from mock_server.store import Store
from tests.conftest import Api, FakeClock
from tests.matchers import ADMIN_HEADERS

ACCOUNTS = "/api/admin/service-account"
NEVER = "2030-01-01T00:00:00.000Z"


@dataclass(frozen=True)
class Ids:
    account: int
    token: int


def served_list(client: FlaskClient) -> Any:
    response = client.get(ACCOUNTS, headers=ADMIN_HEADERS)
    assert response.status_code == 200
    return response.get_json()


def built_afresh(app: Flask) -> Any:
    """The list as the records stand, built with nothing kept."""
    sessions: Sessions = app.extensions["unleash_mock"]
    store = Store(sessions.database, "default", sessions.clock, BuiltLists())
    return list_accounts(Call(store, {}, None, lambda path: path)).body


def created_account(api: Api, client: FlaskClient, ids: Ids) -> None:
    api.create_account("another")


def updated_account(api: Api, client: FlaskClient, ids: Ids) -> None:
    client.put(
        f"{ACCOUNTS}/{ids.account}", json={"name": "Renamed"}, headers=ADMIN_HEADERS
    )


def deleted_account(api: Api, client: FlaskClient, ids: Ids) -> None:
    client.delete(f"{ACCOUNTS}/{ids.account}", headers=ADMIN_HEADERS)


def created_token(api: Api, client: FlaskClient, ids: Ids) -> None:
    api.create_token(ids.account, "another", NEVER)


def deleted_token(api: Api, client: FlaskClient, ids: Ids) -> None:
    client.delete(f"{ACCOUNTS}/{ids.account}/token/{ids.token}", headers=ADMIN_HEADERS)


def used_token(api: Api, client: FlaskClient, ids: Ids) -> None:
    secret = api.create_token(ids.account, "admin", NEVER)["secret"]
    served_list(client)
    client.get(ACCOUNTS, headers={"Authorization": secret})


def reset_session(api: Api, client: FlaskClient, ids: Ids) -> None:
    client.post("/__mock/reset")


def loaded_state(api: Api, client: FlaskClient, ids: Ids) -> None:
    client.put("/__mock/state", json={"serviceAccounts": []})


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(created_account, id="create-account"),
        pytest.param(updated_account, id="update-account"),
        pytest.param(deleted_account, id="delete-account"),
        pytest.param(created_token, id="create-token"),
        pytest.param(deleted_token, id="delete-token"),
        pytest.param(used_token, id="token-seen"),
        pytest.param(reset_session, id="reset"),
        pytest.param(loaded_state, id="load-state"),
    ],
)
def test_the_list_after_a_change_shows_it(
    app: Flask,
    client: FlaskClient,
    api: Api,
    change: Callable[[Api, FlaskClient, Ids], None],
) -> None:
    account = api.create_account("bot")
    token = api.create_token(account["id"], "ci", NEVER)
    before = served_list(client)

    change(api, client, Ids(account["id"], token["id"]))
    after = served_list(client)

    assert after == built_afresh(app)
    assert after != before


def test_a_change_by_another_process_shows_in_the_next_list(
    tmp_path: Path, clock: FakeClock
) -> None:
    state = tmp_path / "state.sqlite"
    client = create_app(MockConfig(seed=None, clock=clock, state_file=state))
    listing = client.test_client()
    served_list(listing)
    # Another process: its own connection to the same state file.
    other = Store(Database(state), "default", clock)

    other.create_account("from-elsewhere", "Elsewhere", 2)
    after = served_list(listing)

    assert [account["username"] for account in after["serviceAccounts"]] == [
        "from-elsewhere"
    ]


def test_lists_are_kept_per_session_until_their_generation_passes() -> None:
    lists = BuiltLists()
    body: dict[str, Any] = {"serviceAccounts": [], "rootRoles": []}

    kept = lists.keep("one", 7, body)

    assert kept
    assert lists.get("one", 7) is body
    assert lists.get("one", 8) is None
    assert lists.get("two", 7) is None


def test_a_long_list_is_not_kept() -> None:
    lists = BuiltLists()
    accounts = [{"id": index} for index in range(MAX_KEPT_ACCOUNTS + 1)]

    kept = lists.keep("one", 1, {"serviceAccounts": accounts, "rootRoles": []})

    assert not kept
    assert lists.get("one", 1) is None


def test_the_least_recently_read_session_is_forgotten_first() -> None:
    lists = BuiltLists()
    bodies: dict[str, dict[str, Any]] = {
        f"s{index}": {"serviceAccounts": [], "rootRoles": []}
        for index in range(KEPT_SESSIONS + 1)
    }

    for name, body in list(bodies.items())[:KEPT_SESSIONS]:
        lists.keep(name, 1, body)

    lists.get("s0", 1)
    lists.keep(f"s{KEPT_SESSIONS}", 1, bodies[f"s{KEPT_SESSIONS}"])

    assert lists.get("s0", 1) is bodies["s0"]
    assert lists.get("s1", 1) is None


def test_a_kept_body_sent_again_is_the_same_bytes_and_still_checked(
    app: Flask,
) -> None:
    endpoint = app.view_functions["getServiceAccounts"]
    assert isinstance(endpoint, Endpoint)
    gate = endpoint.gate
    body: dict[str, list[Any]] = {"serviceAccounts": [], "rootRoles": []}

    with app.test_request_context(ACCOUNTS, headers=ADMIN_HEADERS):
        call = gate.call({})
        first = gate.respond(call, Reply(200, body, kept=True))
        again = gate.respond(call, Reply(200, body, kept=True))

        with pytest.raises(ContractViolation) as undocumented:
            gate.respond(call, Reply(201, body, kept=True))

    assert (first.status_code, again.status_code) == (200, 200)
    assert (
        again.get_data() == first.get_data() == b'{"serviceAccounts":[],"rootRoles":[]}'
    )
    assert undocumented.value.status == 500
