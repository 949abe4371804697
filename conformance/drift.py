"""``unleash-conformance drift``: how another OpenAPI document departs from ours.

``check_drift(source)`` reads another description of the seven service-account
operations (a newer Unleash release's document, or a live server's
``/docs/openapi.json``; see ``sources``), compares its structure with our
description's, and rules on each difference: breaking or not, and why (see
``compatibility``). The ``drift`` command prints that report and exits 1 when any
difference breaks clients, 2 when the other document cannot be read.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from conformance.compatibility import Comparison, classify, schema_uses
from conformance.contract import DESCRIPTION_PATH
from conformance.differences import Difference, compare_structures
from conformance.findings import ExitCode
from conformance.redaction import Redactor
from conformance.resolver import StructureError
from conformance.sources import SourceError, load_source, shown_source
from conformance.structure import extract_structure, load_document
from conformance.verdicts import Direction, Ruling, Verdict

__all__ = ["Drift", "DriftReport", "check_drift", "compare_documents", "drift"]


@dataclass(frozen=True)
class Drift:
    """One difference between the two documents, with the ruling on it."""

    difference: Difference
    ruling: Ruling

    def __str__(self) -> str:
        return f"{self.ruling.verdict:<12}  {self.difference} — {self.ruling.reason}"


@dataclass(frozen=True)
class DriftReport:
    """How one document departs from another, each difference ruled on.

    ``drifts`` holds the breaking differences first, then the others.
    """

    expected_source: str
    actual_source: str
    drifts: tuple[Drift, ...]

    @classmethod
    def of(
        cls, comparison: Comparison, expected_source: str, actual_source: str
    ) -> DriftReport:
        """The report on every difference between the compared structures."""
        differences = compare_structures(comparison.expected, comparison.actual)
        drifts = [
            Drift(difference, classify(difference, comparison))
            for difference in differences
        ]
        # Breaking ones first; the sort is stable, so each group keeps the
        # comparator's order (operations, then schemas, then security).
        drifts.sort(key=lambda drift: drift.ruling.verdict is not Verdict.BREAKING)
        return cls(expected_source, actual_source, tuple(drifts))

    @property
    def breaking(self) -> tuple[Drift, ...]:
        return tuple(d for d in self.drifts if d.ruling.verdict is Verdict.BREAKING)

    @property
    def non_breaking(self) -> tuple[Drift, ...]:
        return tuple(d for d in self.drifts if d.ruling.verdict is Verdict.NON_BREAKING)

    @property
    def exit_code(self) -> ExitCode:
        """1 when any difference breaks clients, else 0."""
        return ExitCode.NOT_CONFORMANT if self.breaking else ExitCode.CONFORMANT

    def render(self) -> str:
        """One line per difference, breaking ones first, then a count line."""
        count = len(self.drifts)
        summary = (
            f"{count} difference{'' if count == 1 else 's'} between "
            f"{self.expected_source} and {self.actual_source}: "
            f"{len(self.breaking)} breaking, {len(self.non_breaking)} non-breaking"
        )
        lines = [*map(str, self.drifts), summary]
        # Documents carry no secrets, but a token-shaped enum value or default
        # would reach CI logs through this report.
        return Redactor("")("\n".join(lines) + "\n")


def _merged(
    *maps: Mapping[str, frozenset[Direction]],
) -> dict[str, frozenset[Direction]]:
    merged: dict[str, frozenset[Direction]] = {}
    for uses in maps:
        for name, directions in uses.items():
            merged[name] = merged.get(name, frozenset()) | directions

    return merged


def compare_documents(
    expected: dict[str, Any],
    actual: dict[str, Any],
    *,
    expected_source: str = "expected",
    actual_source: str = "actual",
) -> DriftReport:
    """Every way ``actual`` departs from ``expected``, each ruled on."""
    comparison = Comparison(
        expected=extract_structure(expected),
        actual=extract_structure(actual),
        # A schema counts in every direction either document uses it in.
        schema_uses=_merged(schema_uses(expected), schema_uses(actual)),
    )
    return DriftReport.of(comparison, expected_source, actual_source)


def check_drift(
    source: str,
    *,
    token: str | None = None,
    timeout: float = 10.0,
    description: Path = DESCRIPTION_PATH,
) -> DriftReport:
    """How the document at ``source`` departs from our description."""
    expected = load_document(description)
    actual = load_source(source, token=token, timeout=timeout)
    try:
        return compare_documents(
            expected,
            actual,
            expected_source=f"{description.parent.name}/{description.name}",
            actual_source=shown_source(source),
        )
    except StructureError as error:
        # Our own description is tested to resolve, so the other one failed.
        raise SourceError(
            repr(shown_source(source)),
            f"cannot be resolved ({error.where}: {error.problem})",
            error.remedy,
        ) from error


@click.command(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 88}
)
@click.option(
    "--against",
    "source",
    metavar="FILE_OR_URL",
    required=True,
    help="The other OpenAPI 3.x document: a JSON or YAML file, or an http(s) URL "
    "such as https://unleash.example.com/docs/openapi.json.",
)
@click.option(
    "--token",
    default=None,
    help="Sent as Authorization when fetching a URL; Unleash serves its "
    "description without one. UNLEASH_TOKEN is sent only to UNLEASH_URL's host.",
)
@click.option(
    "--timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.1, 300),
    help="Seconds to wait for a URL to answer.",
)
def drift(source: str, token: str | None, timeout: float) -> None:
    """List how another OpenAPI document departs from our description.

    Each difference is ruled breaking or non-breaking for a client or server of our
    contract, with the reason. Exits 1 when any difference is breaking, 2 when the
    document cannot be read.
    """
    token = token or _token_for(source, os.environ)

    try:
        report = check_drift(source, token=token, timeout=timeout)
    except StructureError as error:
        message = Redactor(token or "")(str(error))
        click.echo(f"unleash-conformance drift: {message}", err=True)
        sys.exit(int(ExitCode.COULD_NOT_RUN))

    click.echo(report.render(), nl=False)
    sys.exit(int(report.exit_code))


def _token_for(source: str, environ: Mapping[str, str]) -> str | None:
    """The run's token, but only for the server the run is aimed at.

    ``UNLEASH_TOKEN`` belongs to ``UNLEASH_URL``; sending it to whatever host
    ``--against`` names would hand an admin token to a stranger.
    """
    aimed_at = environ.get("UNLEASH_URL", "")

    if not aimed_at or _origin(source) != _origin(aimed_at):
        return None

    return environ.get("UNLEASH_TOKEN") or None


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()
