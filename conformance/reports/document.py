"""The JSON report: the whole run as one document, keys in a fixed order.

Tools read this file rather than the HTML page, so its shape is a promise:
``report_version`` changes whenever a key is renamed or removed.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

from conformance.findings import Finding, RunResult
from conformance.reports.overview import (
    duration_seconds,
    requests_per_second,
    tally_rows,
    totals,
)

REPORT_VERSION = 1


def report_document(result: RunResult) -> dict[str, Any]:
    """The report as plain data, in the order the keys are written."""
    code = result.exit_code
    total = totals(result)
    return {
        "report_version": REPORT_VERSION,
        "run_id": result.run_id,
        "base_url": result.base_url,
        "profile": result.profile,
        "seed": result.seed,
        "workers": result.workers,
        "started_at": _instant(result.started_at),
        "finished_at": _instant(result.finished_at),
        "duration_seconds": duration_seconds(result),
        "requests_sent": result.requests_sent,
        "requests_per_second": requests_per_second(result),
        "exit_code": code.value,
        "exit_code_name": code.name,
        "totals": {
            "passed": total.passed,
            "failed": total.failed,
            "warned": total.warned,
            "flaky": total.flaky,
        },
        "tallies": [
            {
                "operation": row.operation,
                "check": row.check,
                "passed": row.passed,
                "failed": row.failed,
                "warned": row.warned,
                "flaky": row.flaky,
            }
            for row in tally_rows(result)
        ],
        "findings": [_finding(finding) for finding in result.findings],
        "leftovers": list(result.leftovers),
        "error": result.error,
    }


def render_document(result: RunResult) -> str:
    """The report as indented JSON text, ending with a newline."""
    return json.dumps(report_document(result), indent=2, ensure_ascii=False) + "\n"


def _finding(finding: Finding) -> dict[str, str]:
    # Every field, in declaration order, so a field added to Finding is
    # reported without anyone remembering to add it here.
    return {
        field.name: str(getattr(finding, field.name))
        for field in dataclasses.fields(finding)
    }


def _instant(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
