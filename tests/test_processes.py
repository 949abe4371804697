"""``--processes``: several server processes, one port, one state.

Which process takes a connection is the kernel's choice, so these tests open
many connections at once and assert what must hold whichever process served
each: one sequence of ids, lists that show every change, faults counted once.
"""

from __future__ import annotations

import os
import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from mock_server.cli import main
from tests.serving import Running, list_slowly, mock_process

pytestmark = pytest.mark.socket

ADMIN = {"Authorization": "*:*.unleash-insecure-admin-api-token"}
ACCOUNTS = "/api/admin/service-account"
SEEDED_IDS = [2, 3, 4]
CONNECTIONS = 8


def children_of(running: Running) -> list[int]:
    assert running.process is not None
    pid = running.process.pid
    listed = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in listed.split()]


def create(base_url: str, username: str) -> requests.Response:
    # A new connection each time, so that every process gets its share.
    return requests.post(
        base_url + ACCOUNTS,
        json={"username": username, "name": username, "rootRole": 2},
        headers={**ADMIN, "Connection": "close"},
        timeout=10,
    )


def listed_ids(session: requests.Session, base_url: str) -> list[int]:
    body: dict[str, Any] = session.get(
        base_url + ACCOUNTS, headers=ADMIN, timeout=10
    ).json()
    return [account["id"] for account in body["serviceAccounts"]]


def test_two_processes_serve_one_state_from_one_port(tmp_path: Path) -> None:
    with mock_process("--processes", "2") as running:
        base_url = running.base_url
        children = children_of(running)

        with ThreadPoolExecutor(CONNECTIONS) as pool:
            created = list(pool.map(lambda n: create(base_url, f"bot-{n}"), range(40)))

        # Each session keeps its connection, and so its process: every one
        # has a list kept from before the next change.
        sessions = [requests.Session() for _ in range(CONNECTIONS)]
        before = [listed_ids(session, base_url) for session in sessions]
        last = create(base_url, "last").json()["id"]
        after = [listed_ids(session, base_url) for session in sessions]

    new_ids = sorted(response.json()["id"] for response in created)
    assert len(children) == 2
    assert [response.status_code for response in created] == [201] * 40
    assert new_ids == list(range(5, 45))
    assert before == [SEEDED_IDS + new_ids] * CONNECTIONS
    assert after == [[*SEEDED_IDS, *new_ids, last]] * CONNECTIONS
    assert running.process is not None
    assert running.process.returncode == 0
    assert "from 2 processes" in running.stdout


def test_a_fault_for_the_next_calls_fires_that_many_times_across_processes() -> None:
    with mock_process("--processes", "2") as running:
        base_url = running.base_url
        added = requests.post(
            base_url + "/__mock/faults",
            json={"operation": "getServiceAccounts", "status": 403, "times": 10},
            timeout=5,
        )
        assert added.status_code == 201

        def list_once(_: int) -> int:
            response = requests.get(
                base_url + ACCOUNTS,
                headers={**ADMIN, "Connection": "close"},
                timeout=10,
            )
            return response.status_code

        with ThreadPoolExecutor(CONNECTIONS) as pool:
            statuses = list(pool.map(list_once, range(40)))

        faults = requests.get(base_url + "/__mock/faults", timeout=5).json()
        journal = requests.get(
            base_url + "/__mock/journal?operation=getServiceAccounts&limit=100",
            timeout=5,
        ).json()

    assert sorted(statuses) == [200] * 30 + [403] * 10
    assert faults == {"faults": []}
    # The start-up check's list, sent without credentials, then the forty,
    # each journaled once.
    assert sorted(entry["response"]["status"] for entry in journal["entries"]) == (
        [200] * 30 + [401] + [403] * 10
    )


def test_a_call_is_in_the_journal_before_its_client_hears_back() -> None:
    # Each read goes out on a new connection, to whichever process takes it,
    # the moment the create's answer is in.
    with mock_process("--processes", "2") as running:
        base_url = running.base_url

        def created_then_journalled(number: int) -> bool:
            username = f"seen-{number}"
            assert create(base_url, username).status_code == 201
            journal = requests.get(
                base_url + "/__mock/journal?operation=createServiceAccount&limit=200",
                headers={"Connection": "close"},
                timeout=10,
            ).json()
            return username in [
                entry["request"]["body"]["username"] for entry in journal["entries"]
            ]

        with ThreadPoolExecutor(CONNECTIONS) as pool:
            journalled = list(pool.map(created_then_journalled, range(100)))

    assert journalled == [True] * 100


def test_the_temporary_state_is_named_and_removed_when_the_mock_stops() -> None:
    with mock_process("--processes", "2") as running:
        create(running.base_url, "doomed")
        stdout = running.process.stdout if running.process else None
        assert stdout is None

    named = re.search(r"state in (\S+/state\.sqlite), removed at exit", running.stdout)
    assert named is not None
    state = Path(named.group(1))
    assert state.parent.name.startswith("unleash-mock-")
    assert not state.parent.exists()


def test_a_state_file_shared_by_processes_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"

    with mock_process("--processes", "2", "--state-file", str(state)) as running:
        created = create(running.base_url, "kept").json()

    with mock_process("--state-file", str(state)) as running:
        ids = listed_ids(requests.Session(), running.base_url)

    assert ids == [*SEEDED_IDS, created["id"]]


def test_ctrl_c_lets_each_process_answer_its_request_in_flight() -> None:
    # Ctrl-C signals every process of the group: the servers, and the parent,
    # which then signals each server again.
    with mock_process("--processes", "2", own_group=True) as running:
        assert running.process is not None
        listing, answers = list_slowly(running.base_url, latency_ms=1000)
        time.sleep(0.4)
        os.killpg(running.process.pid, signal.SIGINT)
        listing.join(timeout=10)
        exit_code = running.process.wait(timeout=10)

    assert (answers, exit_code) == ([200], 0)


@pytest.mark.parametrize(
    ("how", "status"),
    [
        pytest.param(signal.SIGKILL, -9, id="killed"),
        pytest.param(signal.SIGTERM, 0, id="stopped-cleanly"),
    ],
)
def test_a_server_process_that_stops_on_its_own_stops_the_mock_with_status_1(
    how: signal.Signals, status: int
) -> None:
    with mock_process("--processes", "2") as running:
        first, second = children_of(running)
        os.kill(first, how)
        assert running.process is not None
        running.process.wait(timeout=10)

    assert running.process.returncode == 1
    assert re.search(
        rf"ERROR mock_server The server [12] process stopped with status {status}; "
        r"stopping the others\.",
        running.stderr,
    )
    assert not Path(f"/proc/{second}").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(
            ["--reload"],
            "--reload serves from one process; drop --processes.",
            id="reload",
        ),
        pytest.param(["--processes", "0"], "0 is not in the range 1<=x<=64", id="zero"),
    ],
)
def test_processes_that_cannot_be_are_a_usage_error(
    arguments: list[str], message: str
) -> None:
    result = CliRunner().invoke(main, ["--processes", "2", *arguments])

    assert result.exit_code == 2
    assert message in result.output
