"""The reports of a run: the terminal summary, JUnit XML, JSON and HTML files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from conformance.findings import ExitCode, Finding, RunResult, Severity
from conformance.redaction import Redactor
from conformance.reports import redacted, render_summary, write_reports
from conformance.runner import run_suite
from conformance.settings import RunSettings
from mock_server import MockConfig, create_app
from mock_server.auth import DEFAULT_ADMIN_TOKEN
from tests.serving import served

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


def test_write_reports_creates_the_directory_and_exactly_three_files(
    tmp_path: Path,
) -> None:
    report_dir = tmp_path / "nested" / "reports"

    paths = write_reports(finished_run(), report_dir, lambda text: text)

    assert paths == [
        report_dir / "junit.xml",
        report_dir / "report.json",
        report_dir / "report.html",
    ]
    assert sorted(p.name for p in report_dir.iterdir()) == [
        "junit.xml",
        "report.html",
        "report.json",
    ]


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
        "requests_sent": "42",
        "exit_code": "1 (NOT_CONFORMANT)",
    }


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
        "started_at": "2026-12-01T12:00:00+00:00",
        "finished_at": "2026-12-01T12:00:05.250000+00:00",
        "duration_seconds": 5.25,
        "requests_sent": 42,
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
        "started_at",
        "finished_at",
        "duration_seconds",
        "requests_sent",
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


def test_html_report_shows_each_finding_with_its_curl_escaped(
    tmp_path: Path,
) -> None:
    result = finished_run()

    page = written(result, tmp_path)["report.html"]

    for finding in (FAILURE, FLAKY, WARNING):
        assert f"<h3>{finding.title}</h3>" in page
        assert f"<dt>Severity</dt><dd>{finding.severity.value}</dd>" in page
        assert f"<dt>Phase</dt><dd>{finding.phase}</dd>" in page

    assert (
        '<pre class="curl">'
        "curl -i -X POST &#39;http://127.0.0.1:4242/api/admin/service-account&#39; "
        "-H &#34;Authorization: $UNLEASH_TOKEN&#34; "
        "-H &#39;Content-Type: application/json&#39; "
        "--data-raw &#39;{&#34;username&#34;:&#34;&lt;b&gt;&amp;x&#34;,"
        "&#34;name&#34;:&#34;n&#34;,&#34;rootRole&#34;:1}&#39;</pre>"
    ) in page
    assert "<pre>502 (text/html) &lt;h1&gt;Bad gateway&lt;/h1&gt;</pre>" in page
    assert "<h1>Bad gateway</h1>" not in page
    assert "<li>service account 12</li>" in page
    assert "<h1>not conformant</h1>" in page
    assert (
        "<p>Exit code 1: a check failed twice, or teardown left records behind</p>"
    ) in page
    assert "<dt>Seed</dt><dd>7</dd>" in page
    assert "<dt>Duration</dt><dd>5.250 s</dd>" in page


@pytest.mark.parametrize(
    "result",
    [
        pytest.param(finished_run(), id="finished-run"),
        pytest.param(broken_run(), id="broken-run"),
    ],
)
def test_html_report_loads_nothing_from_anywhere(
    result: RunResult, tmp_path: Path
) -> None:
    page = written(result, tmp_path)["report.html"]

    for loader in ("src=", "<link", "@import", "url(", "<script", "href="):
        assert loader not in page
    assert page.startswith("<!doctype html>\n")
    assert page.endswith("</html>\n")


def test_html_report_shows_the_run_error(tmp_path: Path) -> None:
    result = broken_run()

    page = written(result, tmp_path)["report.html"]

    assert "<h1>could not run</h1>" in page
    assert "<pre>the server stopped answering: connection refused</pre>" in page
    assert "<h2>Failures" not in page


SUMMARY = """\
Operation by check
operation             check                      pass    fail    warn    flaky
--------------------  -----------------------  ------  ------  ------  -------
createServiceAccount  status_code_conformance       1       2       0        0
deleteServiceAccount  not_a_server_error            0       0       0        1
getServiceAccounts    status_code_conformance       3       0       0        0
getServiceAccounts    undeclared_keys               1       0       1        0
total                                               5       2       1        1

Failures (1)

1. Undocumented status code
   operation: createServiceAccount
   check:     status_code_conformance
   phase:     fuzzing
   expected:  Received: 500
              Documented: 201, 400, 401, 403, 409, 413, 415
   actual:    500 (application/json) {"message":"boom"}
   curl:      {curl}

Flaky (1)

1. Server error
   operation: deleteServiceAccount
   check:     not_a_server_error
   phase:     stateful
   expected:  a status below 500
   actual:    502 (text/html) <h1>Bad gateway</h1>
   curl:      curl -i -X DELETE 'http://127.0.0.1:4242/api/admin/service-account/7'

Warnings (1)

1. Undeclared key in a closed object
   operation: getServiceAccounts
   check:     undeclared_keys
   phase:     scenarios
   expected:  only the keys the description declares
   actual:    200 (application/json) with 'isAPI' on each account

Left behind by teardown (1)
  - service account 12

Run 5eed0001 against http://127.0.0.1:4242
Profile quick, seed 7 (the same seed replays the same generated requests)
Requests sent: 42; duration: 5.2 s

Verdict: not conformant, exit code 1: a check failed twice, or teardown left \
records behind
""".replace("{curl}", CURL)


def test_summary_tabulates_checks_then_tells_each_finding_and_the_verdict() -> None:
    result = finished_run()

    summary = render_summary(result)

    assert summary == SUMMARY


def test_summary_of_a_run_that_could_not_run_gives_the_error() -> None:
    result = broken_run()

    summary = render_summary(result)

    assert summary == (
        "Operation by check\n"
        "operation           check                      pass    fail    warn    flaky\n"
        "------------------  -----------------------  ------  ------  ------  -------\n"
        "getServiceAccounts  status_code_conformance       1       0       0        0\n"
        "total                                             1       0       0        0\n"
        "\n"
        "Findings: none.\n"
        "\n"
        "Run error: the server stopped answering: connection refused\n"
        "\n"
        "Run 5eed0002 against http://127.0.0.1:4242\n"
        "Profile full, seed 0 (the same seed replays the same generated requests)\n"
        "Requests sent: 3; duration: 1.0 s\n"
        "\n"
        "Verdict: could not run, exit code 2: the run stopped before it could "
        "judge the server\n"
    )


@pytest.mark.parametrize(
    ("change", "verdict"),
    [
        pytest.param(
            {},
            "Verdict: conformant, exit code 0: no check failed "
            "(warnings and flaky results do not count)",
            id="clean-run",
        ),
        pytest.param(
            {"leftovers": ["token 3 of service account 9"]},
            "Verdict: not conformant, exit code 1: a check failed twice, "
            "or teardown left records behind",
            id="leftover-only",
        ),
        pytest.param(
            {"error": "interrupted; created records were deleted"},
            "Verdict: could not run, exit code 2: the run stopped before it "
            "could judge the server",
            id="interrupted",
        ),
    ],
)
def test_summary_ends_with_the_verdict_and_the_meaning_of_its_exit_code(
    change: dict[str, Any], verdict: str
) -> None:
    result = RunResult(
        run_id="5eed0003",
        base_url="http://127.0.0.1:4242",
        profile="quick",
        seed=1,
        started_at=STARTED,
        **change,
    )
    result.found(WARNING)

    summary = render_summary(result)

    assert summary.splitlines()[-1] == verdict
    assert "duration: unfinished" in summary


def test_a_planted_secret_reaches_no_report_file(tmp_path: Path) -> None:
    # Characters that JSON, XML and HTML each escape differently, so that
    # redacting the rendered text alone would miss it.
    secret = "s3cr3t<&>\"'value"
    token = "*:*.planted0admin0token"
    redact = Redactor(token, [secret])
    result = finished_run()
    result.base_url = f"http://127.0.0.1:4242/?key={secret}"
    result.error = f"the server echoed {secret}"
    result.leftovers.append(f"token {secret}")
    result.found(
        Finding(
            check=f"check {secret}",
            operation=f"operation {secret}",
            title=f"title {secret}",
            expected=f"expected {secret}",
            actual=f"actual {secret} and {token}",
            curl=f"curl -H 'Authorization: {token}' -d '{secret}'",
            phase=f"phase {secret}",
        )
    )

    paths = write_reports(result, tmp_path, redact)

    texts = {path.name: path.read_text(encoding="utf-8") for path in paths}
    assert sorted(texts) == ["junit.xml", "report.html", "report.json"]

    for text in texts.values():
        assert "s3cr3t" not in text
        assert "planted0admin0token" not in text
        assert "[redacted]" in text
        assert "$UNLEASH_TOKEN" in text


def test_redact_guards_the_rendered_text_as_well_as_the_fields(
    tmp_path: Path,
) -> None:
    # Text only the renderers write stands in for a field that slipped past
    # the redaction of the result.
    words = {"junit.xml": "unleash-conformance", "report.json": "report_version"}
    words["report.html"] = "Operation by check"

    def redact(text: str) -> str:
        for word in words.values():
            text = text.replace(word, "[redacted]")

        return text

    paths = write_reports(finished_run(), tmp_path, redact)

    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert words[path.name] not in text
        assert "[redacted]" in text


def test_redacted_copies_the_result_and_leaves_the_original_alone() -> None:
    result = finished_run()

    copy = redacted(result, lambda text: text.replace("127.0.0.1", "[host]"))

    assert copy.base_url == "http://[host]:4242"
    assert copy.findings[0].curl == CURL.replace("127.0.0.1", "[host]")
    assert copy.findings[0].severity is Severity.FAILURE
    assert copy.tallies == result.tallies
    assert copy.tallies is not result.tallies
    assert copy.exit_code is ExitCode.NOT_CONFORMANT
    assert result.base_url == "http://127.0.0.1:4242"


@pytest.mark.socket
def test_a_real_run_against_the_mock_writes_reports_naming_every_tally(
    tmp_path: Path,
) -> None:
    with served(create_app(MockConfig())) as url:
        result = run_suite(RunSettings(base_url=url, token=DEFAULT_ADMIN_TOKEN, seed=1))

    paths = write_reports(result, tmp_path, Redactor(DEFAULT_ADMIN_TOKEN))

    texts = {path.name: path.read_text(encoding="utf-8") for path in paths}
    cases = {(c[0], c[1]) for c in junit_cases(texts["junit.xml"])}
    document = json.loads(texts["report.json"])
    assert result.exit_code is ExitCode.CONFORMANT
    assert len(result.tallies) > 100
    assert cases == set(result.tallies)
    assert suite_counts(texts["junit.xml"])["tests"] == str(len(result.tallies))
    assert [(t["operation"], t["check"]) for t in document["tallies"]] == sorted(
        result.tallies
    )
    assert document["requests_sent"] == result.requests_sent
    assert document["exit_code_name"] == "CONFORMANT"
    assert "<h1>conformant</h1>" in texts["report.html"]

    for text in [*texts.values(), render_summary(result)]:
        assert DEFAULT_ADMIN_TOKEN not in text
