"""Runs built by hand for the report tests, and readers of what they write."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conformance.findings import Finding, RunResult, Severity
from conformance.reports import write_reports

STARTED = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)
FINISHED = STARTED + timedelta(seconds=5, milliseconds=250)

CURL = (
    "curl -i -X POST 'http://127.0.0.1:4242/api/admin/service-account' "
    '-H "Authorization: $UNLEASH_TOKEN" '
    "-H 'Content-Type: application/json' "
    """--data-raw '{"username":"<b>&x","name":"n","rootRole":1}'"""
)

FAILURE = Finding(
    check="status_code_conformance",
    operation="createServiceAccount",
    title="Undocumented status code",
    expected="Received: 500\nDocumented: 201, 400, 401, 403, 409, 413, 415",
    actual='500 (application/json) {"message":"boom"}',
    curl=CURL,
    severity=Severity.FAILURE,
    phase="fuzzing",
)

FLAKY = Finding(
    check="not_a_server_error",
    operation="deleteServiceAccount",
    title="Server error",
    expected="a status below 500",
    actual="502 (text/html) <h1>Bad gateway</h1>",
    curl="curl -i -X DELETE 'http://127.0.0.1:4242/api/admin/service-account/7'",
    severity=Severity.FLAKY,
    phase="stateful",
)

WARNING = Finding(
    check="undeclared_keys",
    operation="getServiceAccounts",
    title="Undeclared key in a closed object",
    expected="only the keys the description declares",
    actual="200 (application/json) with 'isAPI' on each account",
    severity=Severity.WARNING,
    phase="scenarios",
)


def finished_run() -> RunResult:
    """A run with passes, one failure, one flaky, one warning and a leftover."""
    result = RunResult(
        run_id="5eed0001",
        base_url="http://127.0.0.1:4242",
        profile="quick",
        seed=7,
        started_at=STARTED,
        finished_at=FINISHED,
        workers=4,
        requests_sent=42,
        leftovers=["service account 12"],
    )

    for _ in range(3):
        result.passed("getServiceAccounts", "status_code_conformance")

    result.passed("createServiceAccount", "status_code_conformance")
    result.passed("getServiceAccounts", "undeclared_keys")
    result.found(FAILURE)
    result.found(FAILURE)
    result.found(FLAKY)
    result.found(WARNING)
    return result


def broken_run() -> RunResult:
    """A run whose server stopped answering after one passed check."""
    result = RunResult(
        run_id="5eed0002",
        base_url="http://127.0.0.1:4242",
        profile="full",
        seed=0,
        started_at=STARTED,
        finished_at=STARTED + timedelta(seconds=1),
        requests_sent=3,
        error="the server stopped answering: connection refused",
    )
    result.passed("getServiceAccounts", "status_code_conformance")
    return result


def written(result: RunResult, tmp_path: Path) -> dict[str, str]:
    paths = write_reports(result, tmp_path / "reports", lambda text: text)
    return {path.name: path.read_text(encoding="utf-8") for path in paths}


def junit_cases(text: str) -> list[tuple[str, str, str, str]]:
    """Each case as (classname, name, outcome, message)."""
    suite = ET.fromstring(text).find("testsuite")
    assert suite is not None
    cases = []

    for case in suite.iter("testcase"):
        outcome = next(iter(c for c in case if c.tag in ("failure", "error")), None)
        cases.append(
            (
                case.get("classname", ""),
                case.get("name", ""),
                "passed" if outcome is None else outcome.tag,
                "" if outcome is None else outcome.get("message", ""),
            )
        )

    return cases


def suite_counts(text: str) -> dict[str, str]:
    root = ET.fromstring(text)
    suite = root.find("testsuite")
    assert suite is not None
    names = ("tests", "failures", "errors", "skipped", "time")
    return {name: suite.get(name, "") for name in names} | {
        f"root {name}": root.get(name, "") for name in names
    }
