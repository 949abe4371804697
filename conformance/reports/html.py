"""The HTML report: one self-contained page for people to read.

The page loads nothing: its style is inline and it has no script, so it opens
offline and from a CI artifact store. Jinja2 escapes every value, since a
server under test chooses much of what a finding quotes.
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined

from conformance.findings import RunResult
from conformance.reports.overview import (
    MEANINGS,
    VERDICTS,
    duration_seconds,
    finding_groups,
    requests_per_second,
    tally_rows,
    totals,
)

TEMPLATE = "report.html.j2"

_environment = Environment(
    loader=PackageLoader("conformance.reports", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render_html(result: RunResult) -> str:
    """The report page of a run, as text."""
    seconds = duration_seconds(result)
    code = result.exit_code
    return _environment.get_template(TEMPLATE).render(
        result=result,
        exit_code=code.value,
        verdict_name=VERDICTS[code],
        meaning=MEANINGS[code],
        started_at=result.started_at.isoformat(),
        finished_at=result.finished_at.isoformat() if result.finished_at else None,
        duration="unfinished" if seconds is None else f"{seconds:.3f} s",
        rate=requests_per_second(result),
        total=totals(result),
        groups=finding_groups(result),
        rows=tally_rows(result),
    )
