"""``--reload``: a changed description or seed swaps the app, not the state."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from werkzeug.test import Client

from mock_server import MockConfig, create_app
from mock_server.database import Database
from mock_server.description import DESCRIPTION_PATH
from mock_server.fixtures import read_fixture_file
from mock_server.reloading import ReloadingApp
from tests.conftest import FakeClock
from tests.matchers import ADMIN_HEADERS

ACCOUNTS = "/api/admin/service-account"


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    description = tmp_path / "service-accounts.yaml"
    description.write_text(DESCRIPTION_PATH.read_text())
    seed = tmp_path / "seed.json"
    seed.write_text(
        json.dumps({"serviceAccounts": [{"username": "v1", "rootRole": 2}]})
    )
    return description, seed


def reloading(files: tuple[Path, Path], clock: FakeClock) -> ReloadingApp:
    description, seed = files
    database = Database()

    def build() -> Flask:
        config = MockConfig(
            seed=read_fixture_file(seed),
            description_path=description,
            clock=clock,
        )
        return create_app(config, database=database)

    # A long poll keeps the watcher thread out of the way; tests call check().
    return ReloadingApp(build, [description, seed], poll_seconds=60)


def edit_description(path: Path, change: Any) -> None:
    document = yaml.safe_load(path.read_text())
    change(document)
    path.write_text(yaml.safe_dump(document))


def test_a_changed_description_reloads_the_validators_and_keeps_the_state(
    files: tuple[Path, Path], clock: FakeClock
) -> None:
    app = reloading(files, clock)
    client = Client(app)
    client.post(
        ACCOUNTS,
        json={"username": "kept", "name": "K", "rootRole": 2},
        headers=ADMIN_HEADERS,
    )

    def require_a_long_name(document: dict[str, Any]) -> None:
        schema = document["components"]["schemas"]["createServiceAccountSchema"]
        schema["properties"]["name"]["minLength"] = 5

    edit_description(files[0], require_a_long_name)
    reloaded = app.check()
    short = client.post(
        ACCOUNTS,
        json={"username": "new", "name": "Ab", "rootRole": 2},
        headers=ADMIN_HEADERS,
    )
    listed = client.get(ACCOUNTS, headers=ADMIN_HEADERS).json
    app.stop()

    assert reloaded is True
    assert short.status_code == 400
    assert short.json is not None
    assert short.json["details"][0]["path"] == "/body/name"
    assert listed is not None
    assert [account["username"] for account in listed["serviceAccounts"]] == [
        "v1",
        "kept",
    ]


def test_a_changed_seed_becomes_what_a_reset_returns_to(
    files: tuple[Path, Path], clock: FakeClock
) -> None:
    app = reloading(files, clock)
    client = Client(app)
    files[1].write_text(
        json.dumps({"serviceAccounts": [{"username": "v2", "rootRole": 3}]})
    )

    app.check()
    before_reset = client.get(ACCOUNTS, headers=ADMIN_HEADERS).json
    client.post("/__mock/reset")
    after_reset = client.get(ACCOUNTS, headers=ADMIN_HEADERS).json
    app.stop()

    assert before_reset is not None
    assert after_reset is not None
    assert [a["username"] for a in before_reset["serviceAccounts"]] == ["v1"]
    assert [a["username"] for a in after_reset["serviceAccounts"]] == ["v2"]


def test_a_broken_change_keeps_the_previous_app_serving(
    files: tuple[Path, Path], clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    app = reloading(files, clock)
    client = Client(app)
    files[0].write_text("paths: [this is not a description")

    with caplog.at_level(logging.ERROR, logger="mock_server"):
        reloaded = app.check()

    response = client.get(ACCOUNTS, headers=ADMIN_HEADERS)
    app.stop()

    assert reloaded is False
    assert response.status_code == 200
    assert caplog.messages[0].startswith(
        "Reload failed, the previous version keeps serving: The OpenAPI description"
    )


def test_nothing_changed_means_no_reload(
    files: tuple[Path, Path], clock: FakeClock
) -> None:
    app = reloading(files, clock)

    reloaded = app.check()
    app.stop()

    assert reloaded is False
