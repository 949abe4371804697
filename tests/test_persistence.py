"""``--state-file``: the state outlives the process, a ``kill -9`` included."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.serving import mock_process

pytestmark = pytest.mark.socket

ADMIN = {"Authorization": "*:*.unleash-insecure-admin-api-token"}
ACCOUNTS = "/api/admin/service-account"
KILLS = 10
WRITERS = 4


def usernames(base_url: str) -> list[str]:
    body = requests.get(f"{base_url}{ACCOUNTS}", headers=ADMIN, timeout=5).json()
    return [account["username"] for account in body["serviceAccounts"]]


def test_the_state_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"

    with mock_process("--state-file", str(state)) as running:
        created = requests.post(
            f"{running.base_url}{ACCOUNTS}",
            json={"username": "persisted", "name": "P", "rootRole": 2},
            headers=ADMIN,
            timeout=5,
        ).json()

    with mock_process("--state-file", str(state)) as running:
        names = usernames(running.base_url)
        next_account = requests.post(
            f"{running.base_url}{ACCOUNTS}",
            json={"username": "after-restart", "name": "A", "rootRole": 2},
            headers=ADMIN,
            timeout=5,
        ).json()

    assert names == ["ci-pipeline", "release-bot", "metrics-dashboard", "persisted"]
    assert next_account["id"] == created["id"] + 1


def write_until_stopped(
    base_url: str, prefix: str, stop: threading.Event, acknowledged: list[str]
) -> None:
    """Create accounts one after another; note each one the server confirmed."""
    for index in range(10_000):
        if stop.is_set():
            return

        username = f"{prefix}-{index}"

        try:
            response = requests.post(
                f"{base_url}{ACCOUNTS}",
                json={"username": username, "name": "x", "rootRole": 2},
                headers=ADMIN,
                timeout=5,
            )
        except requests.RequestException:
            return

        if response.status_code == 201:
            acknowledged.append(username)


def test_every_acknowledged_write_survives_kill_9(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    acknowledged: list[str] = []

    for round_ in range(KILLS):
        with mock_process("--state-file", str(state)) as running:
            stop = threading.Event()
            writers = [
                threading.Thread(
                    target=write_until_stopped,
                    args=(running.base_url, f"r{round_}-w{n}", stop, acknowledged),
                )
                for n in range(WRITERS)
            ]
            for thread in writers:
                thread.start()

            time.sleep(0.5)
            running.kill()
            stop.set()
            for thread in writers:
                thread.join(timeout=10)

        with sqlite3.connect(state) as database:
            assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    with mock_process("--state-file", str(state)) as running:
        kept = set(usernames(running.base_url))

    assert len(acknowledged) > 50
    assert set(acknowledged) <= kept
