"""The real web UI's calls, replayed over a socket against the served mock.

Unleash's frontend (``frontend/src/hooks/api/...`` and
``component/admin/serviceAccounts/...``) sends ``Accept`` and ``Content-Type``
set to ``application/json`` on every call, a PUT body of
``{name, username, rootRole}``, and reads the secret once from the 201.
"""

from __future__ import annotations

import pytest
import requests

from mock_server import MockConfig, create_app
from mock_server.auth import DEFAULT_ADMIN_TOKEN
from tests.matchers import SECRET, Matches
from tests.serving import served

pytestmark = pytest.mark.socket

UI_HEADERS = {
    "Accept": "application/json",
    "Content-Type": "application/json",
    "Authorization": DEFAULT_ADMIN_TOKEN,
}
GRAVATAR = Matches(r"https://gravatar\.com/avatar/[0-9a-f]{64}\?s=42&d=retro&r=g")
TIMESTAMP = Matches(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def test_the_web_ui_flow_works_end_to_end() -> None:
    app = create_app(MockConfig(seed=None))

    with served(app) as base_url, requests.Session() as ui:
        ui.headers.update(UI_HEADERS)
        accounts = f"{base_url}/api/admin/service-account"

        # Given a new account, created as the UI's dialog does
        created = ui.post(
            accounts,
            json={"name": "Deploy bot", "username": "deploy-bot", "rootRole": 2},
            timeout=5,
        )
        account_id = created.json()["id"]

        # When the UI creates a token and shows its secret once
        token = ui.post(
            f"{accounts}/{account_id}/token",
            json={"description": "pipeline", "expiresAt": "2030-05-01T00:00:00.000Z"},
            timeout=5,
        )
        listed = ui.get(accounts, timeout=5)

        # And renames the account, sending the disabled username field along
        updated = ui.put(
            f"{accounts}/{account_id}",
            json={"name": "Deploy robot", "username": "deploy-bot", "rootRole": 2},
            timeout=5,
        )
        token_deleted = ui.delete(
            f"{accounts}/{account_id}/token/{token.json()['id']}", timeout=5
        )
        account_deleted = ui.delete(f"{accounts}/{account_id}", timeout=5)
        final = ui.get(accounts, timeout=5)

    # Then every step answered as Unleash does
    assert created.status_code == 201
    assert created.headers["location"] == f"{accounts}/{account_id}"
    assert created.json() == {
        "id": account_id,
        "username": "deploy-bot",
        "name": "Deploy bot",
        "imageUrl": GRAVATAR,
        "rootRole": 2,
        "createdAt": TIMESTAMP,
        "tokens": [],
    }
    assert token.status_code == 201
    assert token.json() == {
        "id": 1,
        "description": "pipeline",
        "expiresAt": "2030-05-01T00:00:00.000Z",
        "createdAt": TIMESTAMP,
        "seenAt": None,
        "secret": SECRET,
    }
    assert listed.status_code == 200
    assert listed.json() == {
        "serviceAccounts": [
            {
                "id": account_id,
                "username": "deploy-bot",
                "name": "Deploy bot",
                "imageUrl": created.json()["imageUrl"],
                "rootRole": 2,
                "createdAt": created.json()["createdAt"],
                "tokens": [
                    {
                        "id": 1,
                        "description": "pipeline",
                        "expiresAt": "2030-05-01T00:00:00.000Z",
                        "createdAt": token.json()["createdAt"],
                        "seenAt": None,
                    }
                ],
            }
        ],
        "rootRoles": [
            {
                "id": 2,
                "type": "root",
                "name": "Editor",
                "description": "Works on feature flags, but manages no users.",
            }
        ],
    }
    assert updated.status_code == 200
    assert updated.json() == {
        **created.json(),
        "name": "Deploy robot",
        "tokens": listed.json()["serviceAccounts"][0]["tokens"],
    }
    assert (token_deleted.status_code, token_deleted.content) == (200, b"")
    assert (account_deleted.status_code, account_deleted.content) == (200, b"")
    assert final.json() == {"serviceAccounts": [], "rootRoles": []}
