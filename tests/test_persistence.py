"""``--state-file``: the state outlives the process.

Surviving ``kill -9`` under write load is shown in ``test_crash_safety.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.serving import mock_process

pytestmark = pytest.mark.socket

ADMIN = {"Authorization": "*:*.unleash-insecure-admin-api-token"}
ACCOUNTS = "/api/admin/service-account"


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
