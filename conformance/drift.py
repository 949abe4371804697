"""``unleash-conformance drift``: how another OpenAPI document departs from ours.

``check_drift(source)`` reads another description of the seven service-account
operations (a newer Unleash release's document, or a live server's
``/docs/openapi.json``), compares its structure with our description's, and rules on
each difference: breaking or not, and why (see ``compatibility``). The ``drift``
command prints that report and exits 1 when any difference breaks clients, 2 when
the other document cannot be read.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import requests
import yaml

from conformance.compatibility import Comparison, classify, schema_uses
from conformance.contract import DESCRIPTION_PATH
from conformance.differences import Difference, compare_structures
from conformance.findings import ExitCode
from conformance.redaction import Redactor
from conformance.resolver import StructureError
from conformance.structure import extract_structure, load_document
from conformance.verdicts import Direction, Ruling, Verdict

__all__ = [
    "Drift",
    "DriftReport",
    "SourceError",
    "check_drift",
    "compare_documents",
    "drift",
    "load_source",
]

URL_SCHEMES = ("http", "https")
# Unleash serves JSON; YAML is welcome from servers that offer it.
ACCEPT = "application/json, application/yaml;q=0.9, */*;q=0.1"
SHOWN_ERROR_CHARACTERS = 160


class SourceError(StructureError):
    """A document to compare with: unreadable, unfetchable, unparsable or not 3.x."""


def load_source(
    source: str, *, token: str | None = None, timeout: float = 10.0
) -> dict[str, Any]:
    """Parse the OpenAPI 3.x document at a file path or an http(s) URL."""
    scheme = urlsplit(source).scheme.lower()
    shown = shown_source(source)
    if scheme in URL_SCHEMES:
        document = _parse(_fetch(source, token, timeout), shown)
    elif "://" in source:
        raise SourceError(
            repr(shown),
            f"uses the {scheme} scheme, which drift cannot fetch",
            "Give a file path or an http(s) URL.",
        )
    else:
        document = _parse(_read(Path(source), source), source)

    _require_openapi_3(document, shown)
    return document


def _read(path: Path, source: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problem = getattr(error, "strerror", None) or type(error).__name__
        raise SourceError(
            repr(source), f"cannot be read ({problem})", "Check the path."
        ) from error


def _fetch(url: str, token: str | None, timeout: float) -> str:
    """The text at ``url``; errors show it without credentials or query."""
    shown = repr(shown_source(url))
    headers = {"Accept": ACCEPT}
    if token:
        headers["Authorization"] = token

    try:
        response = requests.get(url, headers=headers, timeout=timeout)
    except requests.Timeout as error:
        raise SourceError(
            shown,
            f"did not answer within {timeout:g} s",
            "Check the URL, or allow longer with --timeout.",
        ) from error
    except requests.RequestException as error:
        raise SourceError(
            shown,
            f"could not be fetched ({_failure(error, url)})",
            "Check the URL and that the server is running.",
        ) from error

    status = f"{response.status_code} {response.reason}".strip()
    if response.status_code in (401, 403):
        raise SourceError(
            shown,
            f"answered {status}",
            "Pass a token that may read it with --token or UNLEASH_TOKEN.",
        )

    if response.status_code != 200:
        raise SourceError(
            shown,
            f"answered {status}",
            "Check the URL; Unleash serves its description at "
            "<base URL>/docs/openapi.json.",
        )

    return response.text


def _failure(error: requests.RequestException, url: str) -> str:
    """The innermost reason a request failed, such as ``Connection refused``."""
    text = str(error)
    query = urlsplit(url).query
    if query:
        text = text.replace(query, "…")

    found = re.search(r"\[Errno -?\d+\] ([^'\")]+)", text)
    return found.group(1).strip() if found else _one_line(text)


def _one_line(text: object) -> str:
    flat = " ".join(str(text).split())
    if len(flat) > SHOWN_ERROR_CHARACTERS:
        return flat[: SHOWN_ERROR_CHARACTERS - 1] + "…"

    return flat


def _yaml_problem(error: yaml.YAMLError) -> str:
    """What the YAML parser stumbled on and where, in one line."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None)
    if mark is None or problem is None:
        return _one_line(error)

    return _one_line(f"{problem} at line {mark.line + 1}, column {mark.column + 1}")


def _parse(text: str, source: str) -> dict[str, Any]:
    try:
        # json reads Unleash's 2 MB document far faster than yaml does.
        document = json.loads(text)
    except ValueError:
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise SourceError(
                repr(source),
                f"is neither JSON nor YAML ({_yaml_problem(error)})",
                "Pass an OpenAPI document as JSON or YAML.",
            ) from error

    if not isinstance(document, dict):
        raise SourceError(
            repr(source),
            f"holds a {type(document).__name__}, not an OpenAPI document",
            "Pass an OpenAPI 3.x document as JSON or YAML.",
        )

    return document


def _require_openapi_3(document: dict[str, Any], source: str) -> None:
    version = document.get("openapi")
    if version is not None and str(version).startswith("3."):
        return

    if "swagger" in document:
        problem = f"is Swagger {document['swagger']}, not OpenAPI 3.x"
    elif version is None:
        problem = "has no 'openapi' field, so it is not an OpenAPI 3.x document"
    else:
        problem = f"is OpenAPI {version}, not 3.x"

    raise SourceError(
        repr(source),
        problem,
        "Pass an OpenAPI 3.x document, such as a server's /docs/openapi.json.",
    )


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


def shown_source(source: str) -> str:
    """``source`` fit for a report: a URL without credentials or query."""
    parts = urlsplit(source)
    if parts.scheme.lower() not in URL_SCHEMES:
        return source

    host = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{host}{parts.path}{'?…' if parts.query else ''}"


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
    envvar="UNLEASH_TOKEN",
    default=None,
    help="Sent as Authorization when fetching a URL; Unleash serves its "
    "description without one (env UNLEASH_TOKEN).",
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
    try:
        report = check_drift(source, token=token, timeout=timeout)
    except StructureError as error:
        message = Redactor(token or "")(str(error))
        click.echo(f"unleash-conformance drift: {message}", err=True)
        sys.exit(int(ExitCode.COULD_NOT_RUN))

    click.echo(report.render(), nl=False)
    sys.exit(int(report.exit_code))
