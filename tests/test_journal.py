"""The journal of recent calls, with every credential redacted."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_server import MockConfig, create_app
from mock_server.control.journal import Journal, redacted_body, redacted_headers
from mock_server.database import Database
from tests.conftest import START, Api, FakeClock
from tests.matchers import ADMIN_HEADERS

ACCOUNTS = "/api/admin/service-account"


def test_each_call_is_journalled_with_request_and_response(
    api: Api, client: FlaskClient
) -> None:
    client.post(
        f"{ACCOUNTS}?dry=1",
        json={"username": "bot", "name": "Bot", "rootRole": 2},
        headers={**ADMIN_HEADERS, "X-Request-Id": "42"},
    )

    entries = client.get("/__mock/journal").get_json()["entries"]

    assert len(entries) == 1
    entry = entries[0]
    assert entry["seq"] >= 1
    assert entry["at"] == "2026-12-01T12:00:00.000Z"
    assert entry["operation"] == "createServiceAccount"
    assert entry["durationMs"] >= 0
    assert entry["request"] == {
        "method": "POST",
        "path": ACCOUNTS,
        "query": "dry=1",
        "headers": {
            "User-Agent": entry["request"]["headers"]["User-Agent"],
            "Host": "localhost",
            "Content-Type": "application/json",
            "Content-Length": "49",
            "Authorization": "<redacted>",
            "X-Request-Id": "42",
        },
        "body": {"username": "bot", "name": "Bot", "rootRole": 2},
    }
    assert entry["response"]["status"] == 201
    assert entry["response"]["body"]["username"] == "bot"
    assert entry["response"]["headers"]["location"] == f"http://localhost{ACCOUNTS}/1"


def test_the_journal_keeps_a_body_exactly_as_sent(client: FlaskClient) -> None:
    body = {"username": "bötchen", "name": "\u2603", "rootRole": 2**70}
    client.post(ACCOUNTS, json=body, headers=ADMIN_HEADERS)

    entries = client.get("/__mock/journal").get_json()["entries"]

    assert [entry["request"]["body"] for entry in entries] == [body]
    assert [entry["response"]["status"] for entry in entries] == [400]


def test_the_journal_shows_each_response_body_as_it_was_sent(
    client: FlaskClient,
) -> None:
    listed = client.get(ACCOUNTS, headers=ADMIN_HEADERS)
    # An integer past 64 bits in the request sends the entry down the slower
    # encoder, which must read the response's text too.
    refused = client.post(
        ACCOUNTS,
        json={"username": "bot", "name": "Bot", "rootRole": 2**70},
        headers=ADMIN_HEADERS,
    )

    entries = client.get("/__mock/journal").get_json()["entries"]

    assert [entry["response"]["body"] for entry in entries] == [
        listed.get_json(),
        refused.get_json(),
    ]
    assert [entry["response"]["status"] for entry in entries] == [200, 400]


def test_secrets_never_reach_the_journal(api: Api, client: FlaskClient) -> None:
    account = api.create_account()
    token = api.create_token(account["id"])
    client.get(ACCOUNTS, headers={"Authorization": f"Bearer {token['secret']}"})

    text = client.get("/__mock/journal").get_data(as_text=True)

    assert token["secret"] not in text
    assert token["secret"][5:] not in text
    assert "unleash-insecure-admin-api-token" not in text
    assert '"secret":"<redacted>"' in text
    assert '"Authorization":"Bearer <redacted>"' in text


def test_the_journal_filters_by_operation_and_limit(
    api: Api, client: FlaskClient
) -> None:
    for index in range(5):
        api.create_account(f"bot-{index}")
        api.list_accounts()

    creates = client.get("/__mock/journal?operation=createServiceAccount&limit=2")

    entries = creates.get_json()["entries"]
    assert [entry["operation"] for entry in entries] == ["createServiceAccount"] * 2
    assert [entry["request"]["body"]["username"] for entry in entries] == [
        "bot-3",
        "bot-4",
    ]


def test_the_journal_keeps_only_the_newest_calls(clock: FakeClock) -> None:
    app: Flask = create_app(MockConfig(seed=None, clock=clock, journal_size=10))
    client = app.test_client()

    for _ in range(120):
        client.get(ACCOUNTS, headers=ADMIN_HEADERS)

    entries = client.get("/__mock/journal?limit=1000").get_json()["entries"]

    assert len(entries) == 10
    assert entries[-1]["seq"] - entries[0]["seq"] == 9


def test_clearing_the_journal_empties_it(client: FlaskClient) -> None:
    client.get(ACCOUNTS, headers=ADMIN_HEADERS)

    cleared = client.delete("/__mock/journal")

    assert cleared.status_code == 204
    assert client.get("/__mock/journal").get_json() == {"entries": []}


def test_redaction_covers_cookies_admin_tokens_and_secret_shapes() -> None:
    headers = redacted_headers(
        [
            ("Cookie", "unleash-session=abc"),
            ("Authorization", "*:*.my-admin-token"),
            ("Accept", "application/json"),
        ]
    )
    body = redacted_body(
        b'{"note": "token user:v2_abcdefghijklmnopqrstuv_xyz and '
        b'default:development.0123456789abcdef"}',
        "application/json",
    )

    assert headers == {
        "Cookie": "<redacted>",
        "Authorization": "<redacted>",
        "Accept": "application/json",
    }
    assert body == {"note": "token <redacted> and <redacted>"}


def test_long_or_non_json_bodies_are_cut_short_text() -> None:
    body = redacted_body(b"x" * 20_000, "text/plain")

    assert isinstance(body, str)
    assert len(body) == 16 * 1024 + 1
    assert body.endswith("…")


def add_sessions(database: Database, *names: str) -> None:
    with database.writing() as db:
        db.executemany("INSERT INTO sessions (name) VALUES (?)", [(n,) for n in names])


def test_an_entry_held_for_the_round_end_is_written_then_or_when_read() -> None:
    journal = Journal(Database())
    add_sessions(journal.database, "default")
    round_end: list[Callable[[], None]] = []

    journal.record(
        "default", "getServiceAccounts", START, 1.0, {}, {}, round_end.append
    )
    held = journal.database.fetch_one("SELECT count(*) FROM journal", ())[0]
    journal.record(
        "default", "getServiceAccounts", START, 2.0, {}, {}, round_end.append
    )
    read_early = journal.read("default")

    assert held == 0
    assert [entry["durationMs"] for entry in read_early] == [1.0, 2.0]
    assert round_end == [journal.write_held, journal.write_held]


def test_a_held_entry_of_a_session_forgotten_meanwhile_is_dropped_alone() -> None:
    journal = Journal(Database())
    add_sessions(journal.database, "kept", "forgotten")
    round_end: list[Callable[[], None]] = []

    for session in ("kept", "forgotten"):
        journal.record(
            session, "getServiceAccounts", START, 1.0, {}, {}, round_end.append
        )

    with journal.database.writing() as db:
        db.execute("DELETE FROM sessions WHERE name = ?", ("forgotten",))
    round_end[0]()

    assert [entry["operation"] for entry in journal.read("kept")] == [
        "getServiceAccounts"
    ]
    assert journal.read("forgotten") == []


def test_entries_that_cannot_be_written_are_counted_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    journal = Journal(Database())
    add_sessions(journal.database, "default")
    round_end: list[Callable[[], None]] = []

    for _ in range(2):
        journal.record(
            "default", "getServiceAccounts", START, 1.0, {}, {}, round_end.append
        )

    journal.database.close()
    round_end[0]()

    assert [record.getMessage() for record in caplog.records] == [
        "2 journal entries were lost: ProgrammingError"
    ]
