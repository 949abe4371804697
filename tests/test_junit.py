"""The JUnit XML report: one case per operation and check, counts CI can trust."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conformance.findings import CheckTally, RunResult
from tests.sample_runs import (
    CURL,
    FAILURE,
    broken_run,
    finished_run,
    junit_cases,
    suite_counts,
    written,
)


def test_junit_has_one_case_per_tally_and_fails_only_failures_and_teardown(
    tmp_path: Path,
) -> None:
    result = finished_run()

    text = written(result, tmp_path)["junit.xml"]

    assert junit_cases(text) == [
        (
            "createServiceAccount",
            "status_code_conformance",
            "failure",
            "Undocumented status code",
        ),
        ("deleteServiceAccount", "not_a_server_error", "passed", ""),
        ("getServiceAccounts", "status_code_conformance", "passed", ""),
        ("getServiceAccounts", "undeclared_keys", "passed", ""),
        ("conformance", "teardown", "failure", "Teardown could not delete 1 record"),
    ]
    assert suite_counts(text) == {
        "tests": "5",
        "failures": "2",
        "errors": "0",
        "skipped": "0",
        "time": "5.25",
        "root tests": "5",
        "root failures": "2",
        "root errors": "0",
        "root skipped": "0",
        "root time": "5.25",
    }


def test_junit_failure_tells_operation_expected_actual_and_curl(
    tmp_path: Path,
) -> None:
    result = finished_run()

    suite = ET.fromstring(written(result, tmp_path)["junit.xml"]).find("testsuite")

    assert suite is not None
    failure = suite.find("testcase[@classname='createServiceAccount']/failure")
    assert failure is not None
    assert failure.attrib == {
        "message": "Undocumented status code",
        "type": "status_code_conformance",
    }
    assert failure.text == "\n".join(
        [
            "operation: createServiceAccount",
            "check:     status_code_conformance",
            "phase:     fuzzing",
            "expected:  Received: 500",
            "           Documented: 201, 400, 401, 403, 409, 413, 415",
            'actual:    500 (application/json) {"message":"boom"}',
            f"curl:      {CURL}",
        ]
    )
    assert suite.findtext("testcase[@classname='createServiceAccount']/system-out") == (
        "1 passed, 2 failed, 0 warned, 0 flaky"
    )


def test_junit_shows_flaky_and_warning_findings_in_system_out(
    tmp_path: Path,
) -> None:
    result = finished_run()

    suite = ET.fromstring(written(result, tmp_path)["junit.xml"]).find("testsuite")

    assert suite is not None
    assert suite.findtext("testcase[@name='not_a_server_error']/system-out") == (
        "0 passed, 0 failed, 0 warned, 1 flaky\n"
        "\n"
        "flaky: Server error\n"
        "operation: deleteServiceAccount\n"
        "check:     not_a_server_error\n"
        "phase:     stateful\n"
        "expected:  a status below 500\n"
        "actual:    502 (text/html) <h1>Bad gateway</h1>\n"
        "curl:      curl -i -X DELETE "
        "'http://127.0.0.1:4242/api/admin/service-account/7'"
    )
    assert suite.findtext("testcase[@name='undeclared_keys']/system-out") == (
        "1 passed, 0 failed, 1 warned, 0 flaky\n"
        "\n"
        "warning: Undeclared key in a closed object\n"
        "operation: getServiceAccounts\n"
        "check:     undeclared_keys\n"
        "phase:     scenarios\n"
        "expected:  only the keys the description declares\n"
        "actual:    200 (application/json) with 'isAPI' on each account"
    )
    assert suite.findtext("testcase[@name='teardown']/failure") == (
        "service account 12"
    )


def two_titles_on_one_pair() -> RunResult:
    result = broken_run()
    result.error = None
    result.found(FAILURE)
    result.found(dataclasses.replace(FAILURE, title="Response violates schema"))
    return result


def failures_without_findings() -> RunResult:
    result = broken_run()
    result.error = None
    result.tallies[("createServiceAccount", "status_code_conformance")] = CheckTally(
        passed=2, failed=3
    )
    return result


@pytest.mark.parametrize(
    ("result", "message", "detailed"),
    [
        pytest.param(
            two_titles_on_one_pair(),
            "Undocumented status code; Response violates schema",
            2,
            id="two-findings-one-case",
        ),
        pytest.param(
            failures_without_findings(),
            "3 of 5 checks failed",
            0,
            id="tally-without-finding",
        ),
    ],
)
def test_junit_fails_a_case_once_whatever_number_of_failures_it_has(
    result: RunResult, message: str, detailed: int, tmp_path: Path
) -> None:
    junit = written(result, tmp_path)["junit.xml"]

    suite = ET.fromstring(junit).find("testsuite")
    assert suite is not None
    failures = suite.findall("testcase[@classname='createServiceAccount']/failure")
    assert [f.get("message") for f in failures] == [message]
    # Each finding behind the failure tells its details in the text.
    details = (failures[0].text or "").count("operation: createServiceAccount")
    assert details == detailed
    assert suite_counts(junit)["failures"] == "1"


def test_junit_reports_a_run_error_as_an_error_case(tmp_path: Path) -> None:
    result = broken_run()

    text = written(result, tmp_path)["junit.xml"]

    assert junit_cases(text) == [
        ("getServiceAccounts", "status_code_conformance", "passed", ""),
        (
            "conformance",
            "run",
            "error",
            "the server stopped answering: connection refused",
        ),
    ]
    assert suite_counts(text) == {
        "tests": "2",
        "failures": "0",
        "errors": "1",
        "skipped": "0",
        "time": "1.0",
        "root tests": "2",
        "root failures": "0",
        "root errors": "1",
        "root skipped": "0",
        "root time": "1.0",
    }


def test_junit_properties_name_the_run(tmp_path: Path) -> None:
    result = finished_run()

    suite = ET.fromstring(written(result, tmp_path)["junit.xml"]).find("testsuite")

    assert suite is not None
    assert suite.attrib["name"] == "unleash-conformance"
    assert suite.attrib["timestamp"] == "2026-12-01T12:00:00+00:00"
    assert {p.attrib["name"]: p.attrib["value"] for p in suite.iter("property")} == {
        "run_id": "5eed0001",
        "base_url": "http://127.0.0.1:4242",
        "profile": "quick",
        "seed": "7",
        "workers": "4",
        "requests_sent": "42",
        "requests_per_second": "8.0",
        "exit_code": "1 (NOT_CONFORMANT)",
    }
    assert [case.get("time") for case in suite.iter("testcase")] == ["0.0"] * 5
