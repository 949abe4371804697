"""``unleash-conformance`` as CI runs it: arguments, exit codes, dry and read-only."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner, Result

from conformance.cli import main
from mock_server import MockConfig, create_app
from tests.serving import free_port, served

pytestmark = pytest.mark.socket

ADMIN = "*:*.unleash-insecure-admin-api-token"
ACCOUNTS = "/api/admin/service-account"


@pytest.fixture
def mock_url() -> Iterator[str]:
    with served(create_app(MockConfig())) as url:
        yield url


def invoke(*arguments: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(arguments), env=env or {})


def journal(base_url: str) -> list[dict[str, Any]]:
    answer = requests.get(f"{base_url}/__mock/journal?limit=1000", timeout=5)
    assert answer.status_code == 200
    entries: list[dict[str, Any]] = answer.json()["entries"]
    return entries


def state(base_url: str) -> dict[str, Any]:
    """The mock's whole state as its control API dumps it, counters left out."""
    answer = requests.get(f"{base_url}/__mock/state", timeout=5)
    assert answer.status_code == 200
    dump: dict[str, Any] = answer.json()
    del dump["lastIds"]
    return dump


def accounts(base_url: str) -> list[dict[str, Any]]:
    answer = requests.get(
        base_url + ACCOUNTS, headers={"Authorization": ADMIN}, timeout=5
    )
    assert answer.status_code == 200
    listed: list[dict[str, Any]] = answer.json()["serviceAccounts"]
    return listed


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(
            ["--base-url", "ftp://host", "--token", "t"],
            "'ftp://host' is not an http(s) URL",
            id="not-http",
        ),
        pytest.param(
            ["--base-url", "http://host?x=1", "--token", "t"],
            "'http://host?x=1' carries a query or fragment",
            id="query",
        ),
        pytest.param(
            ["--base-url", "http://host", "--token", " "],
            "the token is empty",
            id="empty-token",
        ),
        pytest.param(
            ["--base-url", "http://host"],
            "Missing option '--token'",
            id="no-token",
        ),
        pytest.param(
            ["--token", "t"],
            "Missing option '--base-url'",
            id="no-url",
        ),
        pytest.param(
            ["--base-url", "http://host", "--token", "t", "--profile", "slow"],
            "'slow' is not one of 'quick', 'full'",
            id="unknown-profile",
        ),
        pytest.param(
            ["--base-url", "http://host", "--token", "t", "--workers", "0"],
            "Invalid value for '--workers': 0 is not in the range 1<=x<=16.",
            id="no-workers",
        ),
        pytest.param(
            ["--base-url", "http://host", "--token", "t", "--workers", "17"],
            "Invalid value for '--workers': 17 is not in the range 1<=x<=16.",
            id="too-many-workers",
        ),
        pytest.param(
            ["--base-url", "http://host", "--token", "t", "--workers", "two"],
            "Invalid value for '--workers': 'two' is not a valid integer range.",
            id="workers-not-a-number",
        ),
    ],
)
def test_bad_arguments_exit_2_naming_the_problem(
    arguments: list[str], message: str
) -> None:
    result = invoke("run", *arguments)

    assert result.exit_code == 2
    assert message in result.output


def test_an_unreachable_server_exits_2_in_one_line() -> None:
    url = f"http://127.0.0.1:{free_port()}"

    result = invoke("run", "--base-url", url, "--token", ADMIN)

    assert result.exit_code == 2
    assert (
        f"unleash-conformance: could not run: cannot reach {url}{ACCOUNTS}: "
        "connection refused or dropped\n"
    ) in result.output


def test_a_rejected_token_exits_2_before_anything_is_created(mock_url: str) -> None:
    result = invoke("run", "--base-url", mock_url, "--token", "user:" + "0" * 56)

    assert result.exit_code == 2
    assert (
        "unleash-conformance: could not run: the token was rejected up front: "
        f"GET {ACCOUNTS} answered 401; pass an admin token with --token or "
        "UNLEASH_TOKEN\n"
    ) in result.output
    # The preflight alone: with nothing created, there is nothing to clean up.
    assert [entry["operation"] for entry in journal(mock_url)] == ["getServiceAccounts"]


def test_a_dry_run_prints_the_plan_and_sends_nothing(mock_url: str) -> None:
    result = invoke(
        "run", "--dry-run", env={"UNLEASH_URL": mock_url, "UNLEASH_TOKEN": ADMIN}
    )

    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert re.fullmatch(rf"target: {mock_url} \(run [0-9a-f]{{8}}\)", lines[0])
    assert re.fullmatch(
        r"creates: service accounts and tokens named conformance-[0-9a-f]{8}-\*, "
        r"all deleted at the end",
        lines[1],
    )
    assert "scenario: viewer_token_forbidden" in lines
    assert (
        f"schemathesis: DELETE {ACCOUNTS}/{{id}}/token/{{tokenId}} "
        "(deleteServiceAccountToken), 10 examples per phase"
    ) in lines
    assert lines[-1] == "dry run: nothing was sent"
    assert ADMIN not in result.output
    assert journal(mock_url) == []


def test_a_read_only_run_sends_only_gets_and_creates_nothing(mock_url: str) -> None:
    before = accounts(mock_url)

    result = invoke(
        "run", "--read-only", "--base-url", mock_url, "--token", ADMIN, "--seed", "3"
    )

    assert result.exit_code == 0, result.output
    methods = {entry["request"]["method"] for entry in journal(mock_url)}
    assert methods == {"GET"}
    assert accounts(mock_url) == before


def test_a_clean_mock_is_conformant(mock_url: str) -> None:
    result = invoke("run", "--base-url", mock_url, "--token", ADMIN, "--seed", "1")

    assert result.exit_code == 0, result.output
    assert ADMIN not in result.output
    assert not [a for a in accounts(mock_url) if "conformance-" in a["username"]]


def test_a_run_on_two_workers_is_conformant_and_leaves_the_state_as_it_was(
    mock_url: str, tmp_path: Path
) -> None:
    before = state(mock_url)

    result = invoke(
        "run",
        "--base-url",
        mock_url,
        "--token",
        ADMIN,
        "--seed",
        "1",
        "--workers",
        "2",
        "--report-dir",
        str(tmp_path),
    )

    assert result.exit_code == 0, result.output
    assert ", seed 1, workers 2, run " in result.stderr.splitlines()[0]
    document = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert document["workers"] == 2
    assert (document["findings"], document["leftovers"], document["error"]) == (
        [],
        [],
        None,
    )
    assert document["requests_sent"] > 100
    assert state(mock_url) == before


def create_accounts(base_url: str, *usernames: str) -> list[int]:
    return [
        requests.post(
            base_url + ACCOUNTS,
            json={"username": username, "name": "Left", "rootRole": 3},
            headers={"Authorization": ADMIN},
            timeout=5,
        ).json()["id"]
        for username in usernames
    ]


def test_sweep_deletes_only_what_earlier_runs_left(mock_url: str) -> None:
    kept = create_accounts(mock_url, "conformance-team-bot")
    before = accounts(mock_url)
    left_behind = create_accounts(
        mock_url, "conformance-0badc0de-a-1", "conformance-feedbeef-b-2"
    )

    result = invoke("sweep", "--base-url", mock_url, "--token", ADMIN)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"deleted service account {left_behind[0]} (conformance-0badc0de-a-1)",
        f"deleted service account {left_behind[1]} (conformance-feedbeef-b-2)",
        "2 deleted, 0 left",
    ]
    assert accounts(mock_url) == before
    assert kept[0] in [account["id"] for account in before]


def test_sweep_of_one_run_in_a_dry_run_lists_and_deletes_nothing(
    mock_url: str,
) -> None:
    left_behind = create_accounts(
        mock_url, "conformance-0badc0de-a-1", "conformance-feedbeef-b-2"
    )
    before = accounts(mock_url)

    result = invoke(
        "sweep",
        "--base-url",
        mock_url,
        "--token",
        ADMIN,
        "--run",
        "0badc0de",
        "--dry-run",
    )

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"would delete service account {left_behind[0]} (conformance-0badc0de-a-1)",
        "1 to delete; dry run, nothing was deleted",
    ]
    assert accounts(mock_url) == before


def test_sweep_refuses_a_run_id_of_another_shape(mock_url: str) -> None:
    result = invoke("sweep", "--base-url", mock_url, "--token", ADMIN, "--run", "ci")

    assert result.exit_code == 2
    assert "'ci' is not a run id" in result.output


def test_a_mock_whose_faults_were_cleared_is_conformant_again(mock_url: str) -> None:
    faults: list[dict[str, Any]] = [
        {"operation": "createServiceAccount", "status": 409, "times": 5},
        {"operation": "*", "latencyMs": 1},
        {"operation": "getServiceAccountTokens", "status": 403, "errorRate": 0.5},
    ]

    for spec in faults:
        added = requests.post(f"{mock_url}/__mock/faults", json=spec, timeout=5)
        assert added.status_code == 201, added.json()

    cleared = requests.delete(f"{mock_url}/__mock/faults", timeout=5)
    result = invoke("run", "--base-url", mock_url, "--token", ADMIN, "--seed", "2")

    assert cleared.status_code == 204
    assert result.exit_code == 0, result.output


def test_drift_is_a_subcommand_and_our_description_has_none() -> None:
    ours = Path(__file__).resolve().parent.parent / "openapi" / "service-accounts.yaml"

    result = invoke("drift", "--against", str(ours))

    assert result.exit_code == 0, result.output
    assert result.output.endswith(": 0 breaking, 0 non-breaking\n")


def test_user_text_that_reads_like_sql_raises_no_alarm(mock_url: str) -> None:
    # Someone else's records on a shared server may say anything at all.
    account = requests.post(
        mock_url + ACCOUNTS,
        json={"username": "ops-bot", "name": "Select team bot", "rootRole": 3},
        headers={"Authorization": ADMIN},
        timeout=5,
    ).json()
    requests.post(
        f"{mock_url}{ACCOUNTS}/{account['id']}/token",
        json={"description": "copied from vault", "expiresAt": "2030-01-01T00:00:00Z"},
        headers={"Authorization": ADMIN},
        timeout=5,
    ).raise_for_status()

    result = invoke("run", "--base-url", mock_url, "--token", ADMIN, "--seed", "6")

    assert result.exit_code == 0, result.output


def test_progress_names_each_failing_check_as_the_run_goes(mock_url: str) -> None:
    requests.post(
        f"{mock_url}/__mock/faults",
        json={"operation": "getServiceAccountTokens", "status": 403},
        timeout=5,
    ).raise_for_status()

    result = invoke("run", "--base-url", mock_url, "--token", ADMIN, "--seed", "7")

    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert "  failed: delete_cascades on getServiceAccountTokens" in lines
    assert "  failed: positive_data_acceptance on getServiceAccountTokens" in lines
    assert any(
        re.fullmatch(
            r"scenarios: finished in [\d.]+ s, \d+ checks, \d+ passed, "
            r"[1-9]\d* failed",
            line,
        )
        for line in lines
    )


@pytest.mark.parametrize(
    ("arguments", "line"),
    [
        pytest.param(
            ["run", "--token", "t"],
            "unleash-conformance: Missing option '--base-url'.",
            id="missing-option",
        ),
        pytest.param(
            ["run", "--base-url", "http://h", "--token", "t", "--seed", "x"],
            "unleash-conformance: Invalid value for '--seed': 'x' is not a valid "
            "integer.",
            id="bad-value",
        ),
        pytest.param(
            ["run", "--base-url", "http://h", "--token", "t", "--workers", "0"],
            "unleash-conformance: Invalid value for '--workers': 0 is not in the "
            "range 1<=x<=16.",
            id="workers-out-of-range",
        ),
        pytest.param(
            ["rnu"],
            "unleash-conformance: No such command 'rnu'. Did you mean 'run'?",
            id="unknown-command",
        ),
    ],
)
def test_the_console_script_says_a_usage_error_in_one_line(
    arguments: list[str], line: str
) -> None:
    ran = subprocess.run(
        [str(Path(sys.executable).parent / "unleash-conformance"), *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (ran.returncode, ran.stdout, ran.stderr) == (2, "", line + "\n")
