"""The suite folded into another project's pytest run through its plugin."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from mock_server import MockConfig, create_app
from tests.serving import served

pytestmark = pytest.mark.socket

ADMIN = "*:*.unleash-insecure-admin-api-token"

GATE = """
def test_unleash_conforms(unleash_conformance):
    unleash_conformance.assert_conformant()
"""


@pytest.fixture
def mock_url() -> Iterator[str]:
    with served(create_app(MockConfig())) as url:
        yield url


def run_pytest(directory: Path, *options: str) -> subprocess.CompletedProcess[str]:
    (directory / "test_gate.py").write_text(GATE, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *options],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )


def test_a_conformant_server_passes_the_gate_and_writes_reports(
    mock_url: str, tmp_path: Path
) -> None:
    reports = tmp_path / "reports"

    run = run_pytest(
        tmp_path,
        f"--unleash-url={mock_url}",
        f"--unleash-token={ADMIN}",
        "--unleash-seed=4",
        f"--unleash-report-dir={reports}",
    )

    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
    document = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    assert (document["exit_code"], document["seed"]) == (0, 4)
    assert sorted(path.name for path in reports.iterdir()) == [
        "junit.xml",
        "report.html",
        "report.json",
    ]


def test_a_broken_server_fails_the_gate_with_the_findings(
    mock_url: str, tmp_path: Path
) -> None:
    # Every token list answers 403, as a server with a broken permission would.
    requests.post(
        f"{mock_url}/__mock/faults",
        json={"operation": "getServiceAccountTokens", "status": 403},
        timeout=5,
    ).raise_for_status()

    run = run_pytest(tmp_path, f"--unleash-url={mock_url}", f"--unleash-token={ADMIN}")

    assert run.returncode == 1
    assert "1 failed" in run.stdout
    assert "Verdict: not conformant, exit code 1" in run.stdout
    assert "getServiceAccountTokens" in run.stdout
    assert ADMIN not in run.stdout + run.stderr


def test_the_gate_without_a_server_fails_saying_what_to_pass(tmp_path: Path) -> None:
    run = run_pytest(tmp_path)

    assert run.returncode == 1
    assert (
        "unleash_conformance needs a server: pass --unleash-url and "
        "--unleash-token (or set UNLEASH_URL and UNLEASH_TOKEN)"
    ) in run.stdout
