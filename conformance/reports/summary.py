"""The summary printed when a run ends: what passed, what broke, the verdict.

Plain text without colour or cursor control, so that it reads the same in a
terminal and in a CI log; the same result always renders the same text.
"""

from __future__ import annotations

from tabulate import tabulate

from conformance.findings import Finding, RunResult
from conformance.reports.overview import (
    duration_seconds,
    finding_details,
    finding_groups,
    requests_per_second,
    tally_rows,
    totals,
    verdict,
)

HEADERS = ("operation", "check", "pass", "fail", "warn", "flaky")


def render_summary(result: RunResult) -> str:
    """The whole summary of a run, ending with its verdict line."""
    sections = [_table(result), *_findings(result), *_leftovers(result)]

    if result.error is not None:
        sections.append(f"Run error: {result.error}")

    sections += [_totals(result), f"Verdict: {verdict(result)}"]
    return "\n\n".join(sections) + "\n"


def _table(result: RunResult) -> str:
    rows = tally_rows(result)

    if not rows:
        return "Operation by check: no checks ran."

    total = totals(result)
    body = [(r.operation, r.check, r.passed, r.failed, r.warned, r.flaky) for r in rows]
    body.append(("total", "", total.passed, total.failed, total.warned, total.flaky))
    return "Operation by check\n" + tabulate(body, headers=HEADERS, tablefmt="simple")


def _findings(result: RunResult) -> list[str]:
    if not result.findings:
        return ["Findings: none."]

    return [
        f"{heading} ({len(findings)})\n\n" + "\n\n".join(_finding_blocks(findings))
        for heading, findings in finding_groups(result)
        if findings
    ]


def _finding_blocks(findings: list[Finding]) -> list[str]:
    return [_finding(number, f) for number, f in enumerate(findings, start=1)]


def _finding(number: int, finding: Finding) -> str:
    marker = f"{number}. "
    details = finding_details(finding, indent=" " * len(marker))
    return f"{marker}{finding.title}\n{details}"


def _leftovers(result: RunResult) -> list[str]:
    # Said when nothing is left too: QA reads a shared server's log for it.
    if not result.leftovers:
        return ["Left behind by teardown: nothing."]

    items = "\n".join(f"  - {left}" for left in result.leftovers)
    return [f"Left behind by teardown ({len(result.leftovers)})\n{items}"]


def _totals(result: RunResult) -> str:
    seconds = duration_seconds(result)
    duration = "unfinished" if seconds is None else f"{seconds:.1f} s"
    rate = requests_per_second(result)
    per_second = "" if rate is None else f" ({rate:.1f} per second)"
    return "\n".join(
        [
            f"Run {result.run_id} against {result.base_url}",
            f"Profile {result.profile}, seed {result.seed} "
            "(the same seed replays the same generated requests), "
            f"workers {result.workers}",
            f"Requests sent: {result.requests_sent}{per_second}; duration: {duration}",
        ]
    )
