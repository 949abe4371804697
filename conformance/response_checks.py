"""Properties every single response must have, whatever request caused it.

These run on each response the suite sees: those of its own scenarios and
those of Schemathesis's generated requests. Each is named after the property
it checks, as Schemathesis names its own.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from conformance.client import Exchange
from conformance.contract import Contract
from conformance.findings import Severity
from conformance.judge import Judge

# Stack frames of Node.js, Python and the JVM, and SQL a database would echo.
# A frame's line break may be a real one or, inside a JSON string, an escaped
# one: Express-style error handlers put the stack in a `stack` field.
_INTERNALS = re.compile(
    r"Traceback \(most recent call last\)"
    r"|(?:\n|\\n)\s+at [\w.<>$]+ \(\S+:\d+:\d+\)"
    r"|\bat (?:node:)?internal/|File \\?\"[^\"]+\", line \d+"
    r"|\bat [\w$.]+\([\w]+\.java:\d+\)"
    # SQL statements, not English: SELECT takes `*` or a list of column names.
    r"|\bSELECT\s+(?:\*|[\w.\"]+(?:\s*,\s*[\w.\"]+)*)\s+FROM\s+[\w.\"]+"
    r"|\bINSERT\s+INTO\s+[\w.\"]+|\bUPDATE\s+[\w.\"]+\s+SET\s+[\w.\"]+\s*="
    r"|\bDELETE\s+FROM\s+[\w.\"]+"
    r"|syntax error at or near|SQLITE_|sqlite3\.|duplicate key value violates"
    r"|ER_DUP_ENTRY|violates (?:unique|foreign key) constraint",
    re.IGNORECASE,
)
# Shorter values a request sent are left in the body: they match nothing.
_SHORTEST_ECHO = 4

_LISTS_WITH_TOKENS = {"getServiceAccounts", "getServiceAccountTokens"}


def check_response(
    judge: Judge,
    contract: Contract,
    exchange: Exchange,
    *,
    strict: bool,
    server_errors: bool = False,
) -> None:
    """Judge one response against every property that applies to it.

    ``server_errors`` adds the 5xx check, which Schemathesis makes on its own
    requests but not on the suite's.
    """
    if not exchange.operation_id:
        return

    if server_errors:
        judge.expect(
            "not_a_server_error",
            exchange,
            lambda seen: seen.status < 500,
            title="Server error",
            expected="a status below 500",
        )

    if exchange.status >= 400:
        judge.expect(
            "error_body_shape",
            exchange,
            _is_error_body,
            title="Error body is not JSON with a message",
            expected='an application/json object with a string "message"',
        )

    # Only errors are judged: a success body holds records, whose names and
    # descriptions belong to users and may say anything ("Select team").
    if exchange.status >= 400:
        judge.expect(
            "no_internal_details",
            exchange,
            _tells_no_internals,
            title="Response exposes server internals",
            expected="no stack trace and no SQL in the body",
        )

    if exchange.operation_id in _LISTS_WITH_TOKENS and exchange.status == 200:
        judge.expect(
            "secret_only_on_create",
            exchange,
            lambda seen: not _secrets_in(seen.json),
            title="Token secret shown in a list",
            expected="no token in a list carries a secret",
        )

    if exchange.operation_id == "createServiceAccountToken" and exchange.status == 201:
        judge.expect(
            "secret_only_on_create",
            exchange,
            _has_secret,
            title="Token secret missing from the create response",
            expected='the 201 body carries the new token\'s "secret"',
        )

    if exchange.status == 201:
        judge.expect(
            "location_header",
            exchange,
            _locates_created,
            title="Location does not point at the created resource",
            expected="an absolute URL ending in the new resource's path",
            describe=lambda seen: (
                "location: " + seen.response_headers.get("Location", "(missing)")
            ),
        )

    schema = contract.response_schema(exchange.operation_id, exchange.status)

    if schema is not None and isinstance(exchange.json, dict | list):
        extra = contract.undeclared_keys(schema, exchange.json)
        judge.expect(
            "undeclared_keys",
            exchange,
            lambda seen: not contract.undeclared_keys(schema, seen.json),
            title="Undeclared keys in a closed object",
            expected="only the keys the schema declares",
            describe=lambda _: "undeclared: " + ", ".join(extra),
            severity=Severity.FAILURE if strict else Severity.WARNING,
        )


def _tells_no_internals(exchange: Exchange) -> bool:
    """No stack trace or SQL in the body, beyond what the request itself sent.

    A server may quote a value it refuses (an id, a username); that the value
    looks like SQL says nothing about the server, so echoes are cut out first.
    """
    text = exchange.text

    for value in sorted(_sent_values(exchange), key=len, reverse=True):
        if len(value) >= _SHORTEST_ECHO:
            text = text.replace(value, "").replace(json.dumps(value)[1:-1], "")

    return not _INTERNALS.search(text)


def _sent_values(exchange: Exchange) -> list[str]:
    """Every text the request carried: path segments, query values, body strings."""
    parts = urlsplit(exchange.url)
    values = [unquote(segment) for segment in parts.path.split("/") if segment]
    values += [value for _, value in parse_qsl(parts.query)]
    pending: list[Any] = [exchange.json_request()]

    while pending:
        node = pending.pop()

        if isinstance(node, dict):
            pending += [*node.keys(), *node.values()]
        elif isinstance(node, list):
            pending += node
        elif isinstance(node, str):
            values.append(node)

    return values


def _is_error_body(exchange: Exchange) -> bool:
    body = exchange.json
    return (
        exchange.media_type == "application/json"
        and isinstance(body, dict)
        and isinstance(body.get("message"), str)
    )


def _tokens_in(body: Any) -> list[Any]:
    if not isinstance(body, dict):
        return []

    tokens = list(body.get("pats") or [])

    for account in body.get("serviceAccounts") or []:
        if isinstance(account, dict):
            tokens += account.get("tokens") or []

    return tokens


def _secrets_in(body: Any) -> bool:
    return any(
        isinstance(token, dict) and "secret" in token for token in _tokens_in(body)
    )


def _has_secret(exchange: Exchange) -> bool:
    body = exchange.json
    return isinstance(body, dict) and bool(body.get("secret"))


def _locates_created(exchange: Exchange) -> bool:
    location = exchange.response_headers.get("Location", "")
    body = exchange.json

    if not isinstance(body, dict) or "id" not in body:
        # The schema check reports a 201 without an id; nothing to point at.
        return bool(location)

    parts = urlsplit(location)
    created = exchange.path.split("?", 1)[0].rstrip("/") + f"/{body['id']}"
    return bool(parts.scheme and parts.netloc) and parts.path.endswith(created)
