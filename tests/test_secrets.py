"""No credential leaves the mock, except where it is meant to.

A full session runs against a mock process: accounts and tokens are created,
the tokens used right and wrong, and errors provoked with bodies, headers,
paths and faults that hold a secret. Then every output is searched: each log
line, every response's headers and body, the journal, the state dump and the
state file's bytes.

Two places show a credential by design: the response that creates a token
holds its secret (Unleash shows it once), and the start-up banner prints the
admin token, since the developer needs it to call the mock (the CLI's
``admin token:`` and ``try: curl`` lines). Nowhere else may either appear.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from mock_server.auth import DEFAULT_ADMIN_TOKEN
from tests.serving import Running, mock_process, raw_request, send_raw

pytestmark = pytest.mark.socket

ADMIN = {"Authorization": DEFAULT_ADMIN_TOKEN}
ACCOUNTS = "/api/admin/service-account"
EXPIRY = "2030-01-01T00:00:00Z"


@dataclass
class Outputs:
    """Everything the mock sent back, as text, but the token-creating answers."""

    base_url: str
    texts: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = requests.request(method, self.base_url + path, timeout=10, **kwargs)
        self.keep(response)
        return response

    def keep(self, response: requests.Response) -> None:
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        self.texts.append(f"{response.status_code}\n{headers}\n\n{response.text}")

    def create_token(self, account_id: int, description: str) -> dict[str, Any]:
        """A token; its answer is the one place its secret may appear."""
        response = requests.post(
            f"{self.base_url}{ACCOUNTS}/{account_id}/token",
            json={"description": description, "expiresAt": EXPIRY},
            headers=ADMIN,
            timeout=10,
        )
        token: dict[str, Any] = response.json()
        self.secrets.append(token["secret"])
        return token


def provoke_with(out: Outputs, secret: str, account_id: int) -> None:
    """Use one secret every way a client might, right and wrong."""
    as_header = {"Authorization": secret}

    # Right: raw and with a Bearer scheme in either case.
    out.call("GET", ACCOUNTS, headers=as_header)
    out.call("GET", ACCOUNTS, headers={"Authorization": f"Bearer {secret}"})
    out.call("GET", ACCOUNTS, headers={"Authorization": f"bearer {secret}"})

    # Wrong places: query, path, body, other headers.
    out.call("GET", f"{ACCOUNTS}?token={secret}", headers=ADMIN)
    out.call("GET", f"{ACCOUNTS}/{secret}/token", headers=ADMIN)
    out.call("DELETE", f"{ACCOUNTS}/{account_id}/token/{secret}", headers=ADMIN)
    out.call("PATCH", f"{ACCOUNTS}/{secret}", headers=ADMIN)
    out.call("GET", f"/nowhere/{secret}", headers=ADMIN)
    out.call("POST", ACCOUNTS, json={"username": [secret]}, headers=ADMIN)
    out.call("POST", ACCOUNTS, json={"username": "u", "rootRole": secret})
    out.call(
        "PUT", f"{ACCOUNTS}/{account_id}", json={"rootRole": secret}, headers=ADMIN
    )
    out.call(
        "POST",
        f"{ACCOUNTS}/{account_id}/token",
        json={"description": secret, "expiresAt": "2001-01-01T00:00:00Z"},
        headers=ADMIN,
    )
    out.call("POST", ACCOUNTS, data=secret, headers=as_header)
    out.call("POST", ACCOUNTS, data="{}", headers={**ADMIN, "Content-Type": secret})
    out.call("GET", ACCOUNTS, headers={**ADMIN, "X-Mock-Session": secret})
    out.call("GET", ACCOUNTS, headers={**ADMIN, "Prefer": f"code={secret}"})
    out.call("GET", ACCOUNTS, headers={**ADMIN, "Cookie": f"session={secret}"})
    out.call("POST", "/__mock/faults", json={"operation": secret})
    out.call("POST", "/__mock/faults", json={"operation": "x", "status": secret})

    # Below the app: a header line the server cannot parse, a raw path.
    for request in (
        raw_request("GET", ACCOUNTS.encode(), [(b"X-Broken", secret.encode() + b"\r")]),
        raw_request("GET", f"{ACCOUNTS}/{secret}\xff".encode("latin-1")),
    ):
        raw = send_raw(out.base_url, request)
        out.texts.append(f"{raw.status}\n{raw.headers}\n\n{raw.body.decode()}")


def full_session(running: Running) -> Outputs:
    out = Outputs(running.base_url)
    faulted = {"operation": "createServiceAccount", "status": 409, "times": 1}
    out.call("POST", "/__mock/faults", json=faulted)
    out.call("POST", ACCOUNTS, json={"username": "f", "name": "F", "rootRole": 1})

    for role in (1, 3):
        body = {"username": f"role-{role}", "name": "R", "rootRole": role}
        account = out.call("POST", ACCOUNTS, json=body, headers=ADMIN).json()
        token = out.create_token(account["id"], "first")
        out.create_token(account["id"], "second")
        provoke_with(out, token["secret"], account["id"])
        out.call("GET", f"{ACCOUNTS}/{account['id']}/token", headers=ADMIN)
        out.call(
            "DELETE", f"{ACCOUNTS}/{account['id']}/token/{token['id']}", headers=ADMIN
        )
        out.call("GET", ACCOUNTS, headers={"Authorization": token["secret"]})

    # The admin token in wrong places too.
    provoke_with(out, DEFAULT_ADMIN_TOKEN, 1)
    out.call("POST", "/__mock/snapshots/after-tokens")
    out.call("GET", "/__mock/snapshots")
    out.call("GET", "/__mock/sessions")
    out.call("GET", "/__mock/faults")
    out.call("GET", "/__mock/journal?limit=1000")
    out.call("GET", "/__mock/state")
    return out


def leaks(text: str, credential: str) -> Iterator[str]:
    """Each line of the text holding the credential or its secret part."""
    secret_part = credential.removeprefix("user:").split(".", 1)[-1]

    for line in text.splitlines():
        if secret_part in line:
            yield line


def test_no_secret_or_admin_token_appears_in_any_output(tmp_path: Path) -> None:
    state_file = tmp_path / "state.sqlite"

    with mock_process("--state-file", str(state_file)) as running:
        out = full_session(running)

    state_text = b"".join(path.read_bytes() for path in tmp_path.iterdir()).decode(
        "latin-1"
    )
    responses = "\n".join(out.texts)
    banner = [
        f"  admin token: {DEFAULT_ADMIN_TOKEN}",
        f'  try: curl -H "Authorization: {DEFAULT_ADMIN_TOKEN}" '
        f"{running.base_url}/api/admin/service-account",
    ]
    assert len(out.secrets) == 4
    assert len(out.texts) == 79
    assert "mock_server.requests" in running.stderr
    for secret in out.secrets:
        assert list(leaks(running.stdout + running.stderr, secret)) == []
        assert list(leaks(responses, secret)) == []
        assert list(leaks(state_text, secret)) == []
    assert list(leaks(running.stdout, DEFAULT_ADMIN_TOKEN)) == banner
    assert list(leaks(running.stderr, DEFAULT_ADMIN_TOKEN)) == []
    assert list(leaks(responses, DEFAULT_ADMIN_TOKEN)) == []
    assert list(leaks(state_text, DEFAULT_ADMIN_TOKEN)) == []


def test_a_seed_file_the_mock_refuses_is_quoted_without_its_secret(
    tmp_path: Path,
) -> None:
    secret = "user:" + "0123456789abcdef" * 3 + "01234567"
    token = {"description": "d", "expiresAt": secret, "secret": secret}
    seed = tmp_path / "seed.json"
    seed.write_text(
        json.dumps(
            {"serviceAccounts": [{"username": "a", "rootRole": 1, "tokens": [token]}]}
        )
    )

    finished = subprocess.run(
        [sys.executable, "-m", "mock_server", "--seed", str(seed), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert finished.returncode == 1
    assert finished.stdout == ""
    assert finished.stderr == (
        f"Error: Cannot load the seed: {seed}: at "
        "/serviceAccounts/0/tokens/0/expiresAt: '<redacted>' is not a 'date-time'\n"
    )
