"""The JSON report: the whole run, every finding field, keys in a fixed order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance.findings import Finding
from tests.sample_runs import (
    FAILURE,
    FLAKY,
    WARNING,
    broken_run,
    finished_run,
    written,
)


def finding_dict(finding: Finding) -> dict[str, str]:
    return {
        "check": finding.check,
        "operation": finding.operation,
        "title": finding.title,
        "expected": finding.expected,
        "actual": finding.actual,
        "curl": finding.curl,
        "severity": finding.severity.value,
        "phase": finding.phase,
    }


def tally(operation: str, check: str, *counts: int) -> dict[str, Any]:
    passed, failed, warned, flaky = counts
    return {
        "operation": operation,
        "check": check,
        "passed": passed,
        "failed": failed,
        "warned": warned,
        "flaky": flaky,
    }


def test_json_report_holds_the_whole_run_in_a_fixed_key_order(
    tmp_path: Path,
) -> None:
    result = finished_run()

    document = json.loads(written(result, tmp_path)["report.json"])

    assert document == {
        "report_version": 1,
        "run_id": "5eed0001",
        "base_url": "http://127.0.0.1:4242",
        "profile": "quick",
        "seed": 7,
        "workers": 4,
        "started_at": "2026-12-01T12:00:00+00:00",
        "finished_at": "2026-12-01T12:00:05.250000+00:00",
        "duration_seconds": 5.25,
        "requests_sent": 42,
        "requests_per_second": 8.0,
        "exit_code": 1,
        "exit_code_name": "NOT_CONFORMANT",
        "totals": {"passed": 5, "failed": 2, "warned": 1, "flaky": 1},
        "tallies": [
            tally("createServiceAccount", "status_code_conformance", 1, 2, 0, 0),
            tally("deleteServiceAccount", "not_a_server_error", 0, 0, 0, 1),
            tally("getServiceAccounts", "status_code_conformance", 3, 0, 0, 0),
            tally("getServiceAccounts", "undeclared_keys", 1, 0, 1, 0),
        ],
        "findings": [finding_dict(FAILURE), finding_dict(FLAKY), finding_dict(WARNING)],
        "leftovers": ["service account 12"],
        "error": None,
    }
    assert list(document) == [
        "report_version",
        "run_id",
        "base_url",
        "profile",
        "seed",
        "workers",
        "started_at",
        "finished_at",
        "duration_seconds",
        "requests_sent",
        "requests_per_second",
        "exit_code",
        "exit_code_name",
        "totals",
        "tallies",
        "findings",
        "leftovers",
        "error",
    ]


def test_json_report_of_a_run_that_could_not_run(tmp_path: Path) -> None:
    result = broken_run()

    document = json.loads(written(result, tmp_path)["report.json"])

    assert {key: document[key] for key in ("exit_code", "exit_code_name")} == {
        "exit_code": 2,
        "exit_code_name": "COULD_NOT_RUN",
    }
    assert document["error"] == "the server stopped answering: connection refused"
    assert document["findings"] == []
    assert document["tallies"] == [
        tally("getServiceAccounts", "status_code_conformance", 1, 0, 0, 0)
    ]
