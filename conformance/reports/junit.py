"""The JUnit XML report: one test case per operation and check.

CI servers show a JUnit file as a list of tests, so each (operation, check)
pair becomes one: ``classname`` is the operationId and ``name`` the check.
Only findings of severity failure fail a case; warnings and flaky findings are
written to its ``<system-out>``, where a reader sees them without the build
going red.
"""

from __future__ import annotations

import io

from junitparser import Error, Failure, JUnitXml, TestCase, TestSuite

from conformance.findings import Finding, RunResult, Severity
from conformance.reports.overview import (
    TallyRow,
    duration_seconds,
    finding_details,
    requests_per_second,
    tally_rows,
)

SUITE_NAME = "unleash-conformance"
# The class of the two cases that are about the run rather than an operation.
RUN_CLASS = "conformance"
# A case stands for many checks spread over the run, so it has no time of its
# own; viewers that require the attribute (the Ant schema does) get zero.
CASE_TIME = 0.0


def render_junit(result: RunResult) -> str:
    """The JUnit XML document of a run, as text."""
    suite = TestSuite(SUITE_NAME)
    suite.timestamp = result.started_at.isoformat()
    _add_properties(suite, result)
    rows = {(row.operation, row.check): row for row in tally_rows(result)}
    # A finding whose pair has no tally still gets its case.
    pairs = sorted(rows.keys() | {(f.operation, f.check) for f in result.findings})

    for operation, check in pairs:
        findings = [
            f for f in result.findings if (f.operation, f.check) == (operation, check)
        ]
        suite.add_testcase(
            _case(operation, check, rows.get((operation, check)), findings)
        )

    if result.leftovers:
        suite.add_testcase(_teardown_case(result.leftovers))

    if result.error is not None:
        suite.add_testcase(_run_case(result.error))

    document = JUnitXml()
    document.add_testsuite(suite)
    document.update_statistics()
    # update_statistics sums the cases' zero times; the run's duration is the
    # honest figure for the suite.
    elapsed = duration_seconds(result) or 0.0
    suite.time = document.time = elapsed
    buffer = io.BytesIO()
    document.write(buffer, pretty=True)
    return buffer.getvalue().decode("utf-8")


def _add_properties(suite: TestSuite, result: RunResult) -> None:
    rate = requests_per_second(result)
    properties = {
        "run_id": result.run_id,
        "base_url": result.base_url,
        "profile": result.profile,
        "seed": str(result.seed),
        "workers": str(result.workers),
        "requests_sent": str(result.requests_sent),
        "requests_per_second": "unfinished" if rate is None else str(rate),
        "exit_code": f"{result.exit_code.value} ({result.exit_code.name})",
    }

    for name, value in properties.items():
        suite.add_property(name, value)


def _case(
    operation: str, check: str, row: TallyRow | None, findings: list[Finding]
) -> TestCase:
    case = TestCase(check, classname=operation, time=CASE_TIME)
    failures = [f for f in findings if f.severity is Severity.FAILURE]
    notes = [f for f in findings if f.severity is not Severity.FAILURE]

    if failures:
        failure = Failure("; ".join(f.title for f in failures), check)
        failure.text = "\n\n".join(finding_details(f) for f in failures)
        case.result = [failure]
    elif row is not None and row.failed:
        # A result assembled elsewhere may count failures it kept no finding
        # for; the counts, not the findings, decide whether a case passed.
        case.result = [Failure(f"{row.failed} of {row.checks} checks failed", check)]

    lines = [_counts(row)] if row is not None else []
    lines += [f"{f.severity.value}: {f.title}\n{finding_details(f)}" for f in notes]

    if lines:
        case.system_out = "\n\n".join(lines)

    return case


def _teardown_case(leftovers: list[str]) -> TestCase:
    case = TestCase("teardown", classname=RUN_CLASS, time=CASE_TIME)
    count = len(leftovers)
    records = "record" if count == 1 else "records"
    failure = Failure(f"Teardown could not delete {count} {records}", "teardown")
    failure.text = "\n".join(leftovers)
    case.result = [failure]
    return case


def _run_case(error: str) -> TestCase:
    case = TestCase("run", classname=RUN_CLASS, time=CASE_TIME)
    problem = Error(error, "run")
    problem.text = error
    case.result = [problem]
    return case


def _counts(row: TallyRow) -> str:
    return (
        f"{row.passed} passed, {row.failed} failed, "
        f"{row.warned} warned, {row.flaky} flaky"
    )
