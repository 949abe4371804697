"""The reports of a conformance run: terminal output and three files.

``ProgressPrinter`` and ``render_summary`` serve the terminal;
``write_reports`` writes ``junit.xml``, ``report.json`` and ``report.html``
into a report directory. Secrets are kept out twice over: every text field is
redacted before rendering (so no escaping can disguise a secret), and every
rendered file is redacted again before it is written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from conformance.findings import Finding, RunResult
from conformance.reports.document import render_document
from conformance.reports.html import render_html
from conformance.reports.junit import render_junit
from conformance.reports.progress import ProgressPrinter
from conformance.reports.summary import render_summary

__all__ = [
    "REPORT_FILES",
    "ProgressPrinter",
    "redacted",
    "render_summary",
    "write_reports",
]

Redact = Callable[[str], str]

REPORT_FILES: dict[str, Callable[[RunResult], str]] = {
    "junit.xml": render_junit,
    "report.json": render_document,
    "report.html": render_html,
}


def write_reports(result: RunResult, report_dir: Path, redact: Redact) -> list[Path]:
    """Write the three report files into ``report_dir``; return their paths."""
    report_dir.mkdir(parents=True, exist_ok=True)
    clean = redacted(result, redact)
    written = []

    for name, render in REPORT_FILES.items():
        path = report_dir / name
        path.write_text(redact(render(clean)), encoding="utf-8")
        written.append(path)

    return written


def redacted(result: RunResult, redact: Redact) -> RunResult:
    """A copy of ``result`` with ``redact`` applied to every text it holds."""
    return RunResult(
        run_id=redact(result.run_id),
        base_url=redact(result.base_url),
        profile=redact(result.profile),
        seed=result.seed,
        started_at=result.started_at,
        finished_at=result.finished_at,
        workers=result.workers,
        tallies={
            (redact(operation), redact(check)): dataclasses.replace(tally)
            for (operation, check), tally in result.tallies.items()
        },
        findings=[_redacted_finding(finding, redact) for finding in result.findings],
        error=None if result.error is None else redact(result.error),
        requests_sent=result.requests_sent,
        leftovers=[redact(left) for left in result.leftovers],
    )


def _redacted_finding(finding: Finding, redact: Redact) -> Finding:
    return dataclasses.replace(
        finding,
        check=redact(finding.check),
        operation=redact(finding.operation),
        title=redact(finding.title),
        expected=redact(finding.expected),
        actual=redact(finding.actual),
        curl=redact(finding.curl),
        phase=redact(finding.phase),
    )
