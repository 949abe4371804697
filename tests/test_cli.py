"""``unleash-mock`` as a user runs it: a real process on a real port."""

from __future__ import annotations

import gc
import json
import signal
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from mock_server.cli import main
from mock_server.reloading import ReloadingApp
from mock_server.server import MockServer
from tests.serving import mock_process

pytestmark = pytest.mark.socket

ADMIN = "*:*.unleash-insecure-admin-api-token"


def test_the_mock_starts_seeded_prints_how_to_call_it_and_logs_each_request() -> None:
    with mock_process() as running:
        base_url = running.base_url
        listed = requests.get(
            f"{base_url}/api/admin/service-account",
            headers={"Authorization": ADMIN},
            timeout=5,
        )
        requests.get(f"{base_url}/nowhere", timeout=5)

    stdout, stderr = running.stdout, running.stderr
    accounts_url = f"{base_url}/api/admin/service-account"
    assert listed.status_code == 200
    assert len(listed.json()["serviceAccounts"]) == 3
    assert stdout.splitlines() == [
        f"Unleash mock on {accounts_url}",
        f"  docs: {base_url}/docs",
        "  state: 3 service accounts, 5 tokens (the default seed; state in memory)",
        f"  admin token: {ADMIN}",
        f'  try: curl -H "Authorization: {ADMIN}" {accounts_url}',
    ]
    request_lines = [
        line for line in stderr.splitlines() if "mock_server.requests" in line
    ]
    # Sorted: a line is written once the answer has gone out, so a worker
    # thread may log the next request before the previous one's line.
    assert sorted(
        line.split("mock_server.requests ")[1].rsplit(" ", 1)[0]
        for line in request_lines
    ) == [
        "GET /api/admin/service-account 200",
        "GET /api/admin/service-account 401",
        "GET /nowhere 404",
    ]
    assert ADMIN not in stderr


def test_no_seed_starts_empty_and_the_admin_token_is_configurable() -> None:
    with mock_process("--no-seed", "--admin-token", "*:*.mine") as running:
        base_url = running.base_url
        mine = requests.get(
            f"{base_url}/api/admin/service-account",
            headers={"Authorization": "*:*.mine"},
            timeout=5,
        )
        default = requests.get(
            f"{base_url}/api/admin/service-account",
            headers={"Authorization": ADMIN},
            timeout=5,
        )

    assert mine.json() == {"serviceAccounts": [], "rootRoles": []}
    assert default.status_code == 401


def test_a_seed_file_is_loaded(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(
        json.dumps({"serviceAccounts": [{"id": 7, "username": "one", "rootRole": 2}]})
    )

    with mock_process("--seed", str(seed)) as running:
        listed = requests.get(
            f"{running.base_url}/api/admin/service-account",
            headers={"Authorization": ADMIN},
            timeout=5,
        )

    assert [account["id"] for account in listed.json()["serviceAccounts"]] == [7]


def test_a_broken_seed_file_is_a_one_line_error(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"serviceAccounts": [{"username": "one"}]}))

    result = CliRunner().invoke(main, ["--seed", str(seed)])

    assert result.exit_code == 1
    assert result.output == (
        f"Error: Cannot load the seed: {seed}: at /serviceAccounts/0: "
        "'rootRole' is a required property\n"
    )


@pytest.mark.parametrize("processes", ["1", "2"])
def test_a_port_in_use_is_a_one_line_error(processes: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]

        result = CliRunner().invoke(
            main, ["--port", str(port), "--processes", processes]
        )

    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"Error: Cannot listen on 127.0.0.1:{port}: Address already in use."
    )


def test_seed_and_no_seed_together_are_a_usage_error(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text("{}")

    result = CliRunner().invoke(main, ["--seed", str(seed), "--no-seed"])

    assert result.exit_code == 2
    assert "--seed and --no-seed contradict each other." in result.output


@pytest.mark.parametrize(
    ("arguments", "frozen"),
    [
        pytest.param([], True, id="serving"),
        pytest.param(["--reload"], False, id="reloading"),
    ],
)
def test_start_up_objects_are_frozen_unless_a_reload_may_drop_them(
    monkeypatch: pytest.MonkeyPatch, arguments: list[str], frozen: bool
) -> None:
    seen: list[int] = []

    # The first round of serving notes what is frozen, then stops the server.
    def poll_once(server: MockServer, seconds: float) -> None:
        seen.append(gc.get_freeze_count())
        server.close()
        raise SystemExit(0)

    monkeypatch.setattr(MockServer, "poll_once", poll_once)
    monkeypatch.setattr(ReloadingApp, "__init__", _reloading_without_a_watcher)
    # The test process keeps its own signal handlers.
    monkeypatch.setattr(signal, "signal", lambda *_: None)

    try:
        result = CliRunner().invoke(main, ["--port", "0", *arguments])
    finally:
        gc.unfreeze()

    assert result.exit_code == 0, result.output
    assert [count > 0 for count in seen] == [frozen]


def _reloading_without_a_watcher(
    app: ReloadingApp, build: Callable[[], Any], watched: object
) -> None:
    app.current = build()
