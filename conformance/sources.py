"""Other OpenAPI documents to compare ours with: read from a file or fetched by URL.

``load_source`` takes a file path (JSON or YAML) or an http(s) URL, such as a live
server's ``/docs/openapi.json``, and answers with the parsed document. Whatever goes
wrong (unreadable, unreachable, unparsable, not OpenAPI 3.x) raises ``SourceError``,
whose message names the source without credentials and says what to do.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import yaml

from conformance.resolver import StructureError

__all__ = ["SourceError", "load_source", "shown_source"]

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
            "Pass a token that may read it with --token.",
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


def shown_source(source: str) -> str:
    """``source`` fit for a report: a URL without credentials or query."""
    parts = urlsplit(source)
    if parts.scheme.lower() not in URL_SCHEMES:
        return source

    host = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{host}{parts.path}{'?…' if parts.query else ''}"
