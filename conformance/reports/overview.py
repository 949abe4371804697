"""What every report shows alike: the verdict, the tally rows and the totals.

The terminal summary, the JUnit file, the JSON document and the HTML page all
read a ``RunResult`` through these helpers, so that they cannot disagree on
an order, a sum or the meaning of an exit code.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.findings import CheckTally, ExitCode, Finding, RunResult

VERDICTS = {
    ExitCode.CONFORMANT: "conformant",
    ExitCode.NOT_CONFORMANT: "not conformant",
    ExitCode.COULD_NOT_RUN: "could not run",
}

MEANINGS = {
    ExitCode.CONFORMANT: "no check failed (warnings and flaky results do not count)",
    ExitCode.NOT_CONFORMANT: "a check failed twice, or teardown left records behind",
    ExitCode.COULD_NOT_RUN: "the run stopped before it could judge the server",
}

# Labels padded to one width, so that values start in one column.
LABEL_WIDTH = len("operation: ")


@dataclass(frozen=True)
class TallyRow:
    """One (operation, check) pair and how its checks came out."""

    operation: str
    check: str
    passed: int
    failed: int
    warned: int
    flaky: int

    @property
    def checks(self) -> int:
        return self.passed + self.failed + self.warned + self.flaky


def tally_rows(result: RunResult) -> list[TallyRow]:
    """The tallies sorted by operation, then check."""
    return [
        TallyRow(operation, check, t.passed, t.failed, t.warned, t.flaky)
        for (operation, check), t in sorted(result.tallies.items())
    ]


def totals(result: RunResult) -> CheckTally:
    """Every tally summed: how many checks passed, failed, warned or flaked."""
    total = CheckTally()

    for tally in result.tallies.values():
        total.passed += tally.passed
        total.failed += tally.failed
        total.warned += tally.warned
        total.flaky += tally.flaky

    return total


def finding_groups(result: RunResult) -> list[tuple[str, list[Finding]]]:
    """The findings by severity, the ones that fail the run first."""
    return [
        ("Failures", result.failures),
        ("Flaky", result.flaky),
        ("Warnings", result.warnings),
    ]


def finding_details(finding: Finding, indent: str = "") -> str:
    """A finding's fields as labelled lines, its title left to the caller.

    A value of several lines, such as a Schemathesis message, keeps its later
    lines under its first, so that no line reads as a label of its own.
    """
    fields = [
        ("operation", finding.operation),
        ("check", finding.check),
        ("phase", finding.phase),
        ("expected", finding.expected),
        ("actual", finding.actual),
        ("curl", finding.curl),
    ]
    continuation = "\n" + indent + " " * LABEL_WIDTH
    return "\n".join(
        indent + f"{label}:".ljust(LABEL_WIDTH) + continuation.join(value.splitlines())
        for label, value in fields
        if value
    )


def duration_seconds(result: RunResult) -> float | None:
    """How long the run took, to the millisecond; None while it runs."""
    if result.finished_at is None:
        return None

    elapsed = result.finished_at - result.started_at
    return round(elapsed.total_seconds(), 3)


def requests_per_second(result: RunResult) -> float | None:
    """The run's requests over its whole duration, setup and teardown included."""
    seconds = duration_seconds(result)

    if not seconds:
        return None

    return round(result.requests_sent / seconds, 1)


def verdict(result: RunResult) -> str:
    """One line: the verdict, the exit code and what that code means."""
    code = result.exit_code
    return f"{VERDICTS[code]}, exit code {code.value}: {MEANINGS[code]}"
