"""No token secret leaves the mock except in the response that creates it."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.serving import mock_process

pytestmark = pytest.mark.socket

ADMIN = {"Authorization": "*:*.unleash-insecure-admin-api-token"}
ACCOUNTS = "/api/admin/service-account"


def test_created_secrets_appear_in_no_log_journal_state_file_or_other_body(
    tmp_path: Path,
) -> None:
    state_file = tmp_path / "state.sqlite"
    secrets: list[str] = []
    other_bodies: list[str] = []

    with mock_process("--state-file", str(state_file)) as running:
        base = running.base_url

        def call(method: str, path: str, **kwargs: object) -> requests.Response:
            response = requests.request(method, f"{base}{path}", timeout=5, **kwargs)  # type: ignore[arg-type]
            other_bodies.append(response.text)
            return response

        for role in (1, 3):
            account = call(
                "POST",
                ACCOUNTS,
                json={"username": f"role-{role}", "name": "R", "rootRole": role},
                headers=ADMIN,
            ).json()
            created = requests.post(
                f"{base}{ACCOUNTS}/{account['id']}/token",
                json={"description": "t", "expiresAt": "2030-01-01T00:00:00Z"},
                headers=ADMIN,
                timeout=5,
            ).json()
            secrets.append(created["secret"])

            # Use the token the ways a client might, right and wrong.
            call("GET", ACCOUNTS, headers={"Authorization": created["secret"]})
            call(
                "GET",
                ACCOUNTS,
                headers={"Authorization": f"Bearer {created['secret']}"},
            )
            call("GET", f"{ACCOUNTS}?token={created['secret']}")
            call("GET", f"{ACCOUNTS}/{created['secret']}/token", headers=ADMIN)
            call(
                "POST",
                ACCOUNTS,
                data=b"not json",
                headers={"Authorization": created["secret"]},
            )
            call(
                "DELETE",
                f"{ACCOUNTS}/{account['id']}/token/{created['id']}",
                headers=ADMIN,
            )
            call("GET", ACCOUNTS, headers={"Authorization": created["secret"]})

        journal = call("GET", "/__mock/journal?limit=1000").text
        dump = call("GET", "/__mock/state").text

    state_bytes = b"".join(
        path.read_bytes()
        for path in tmp_path.iterdir()
        if path.name.startswith("state")
    )
    printed = running.stdout + running.stderr

    assert len(secrets) == 2
    for secret in secrets:
        hex_part = secret.removeprefix("user:")
        assert hex_part not in printed
        assert hex_part not in journal
        assert hex_part not in dump
        assert hex_part.encode() not in state_bytes
        assert not [body for body in other_bodies if hex_part in body]
