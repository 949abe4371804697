"""Whether each difference between two structures breaks the clients of our contract.

``classify`` rules on one ``Difference`` from ``compare_structures`` by its scope (an
operation, the component schemas, the security schemes, the document's security), by
where it sits there (the request side: parameters and requestBody; the response side:
responses/<status>/content and headers) and by its kind and values. Changes inside a
schema go to ``schema_changes``. A difference no rule covers counts as breaking, since
a gate must fail safe.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.differences import ABSENT, Difference, DifferenceKind, Side
from conformance.message_changes import (
    content_ruling,
    header_ruling,
    parameter_ruling,
    request_body_ruling,
    status_ruling,
)
from conformance.resolver import JSONValue, Resolver
from conformance.schema_changes import (
    SchemaChange,
    judge_schema_change,
    locate_in_schema,
)
from conformance.security_changes import (
    requirements_ruling,
    scheme_ruling,
    security_of,
)
from conformance.structure import HTTP_METHODS, SERVICE_ACCOUNT_OPERATIONS, Structure
from conformance.verdicts import (
    Direction,
    Ruling,
    Verdict,
    breaking,
    non_breaking,
    unclassified,
)

__all__ = ["Comparison", "classify", "schema_uses"]


@dataclass(frozen=True)
class Comparison:
    """The two structures compared, and the directions each component schema has."""

    expected: Structure
    actual: Structure
    schema_uses: Mapping[str, frozenset[Direction]]

    def node(self, structure: Structure, scope: str, path: Sequence[str]) -> Side:
        """The node at ``path`` in ``scope`` of ``structure``, or ``ABSENT``."""
        sections: dict[str, JSONValue] = {
            "schemas": dict(structure["schemas"]),
            "securitySchemes": dict(structure["securitySchemes"]),
            "security": structure["security"],
        }
        node: Side = sections.get(scope, structure["operations"].get(scope, ABSENT))
        for step in path:
            if isinstance(node, dict) and step in node:
                node = node[step]
            elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
                node = node[int(step)]
            else:
                return ABSENT

        return node


def classify(difference: Difference, comparison: Comparison) -> Ruling:
    """Whether ``difference`` breaks a client or server of our contract, and why."""
    if difference.scope == "schemas":
        return _component_ruling(difference, comparison)

    if difference.scope == "securitySchemes":
        return scheme_ruling(difference)

    if difference.scope == "security":
        return requirements_ruling(
            comparison.expected["security"],
            comparison.actual["security"],
            "the document",
        )

    return _operation_ruling(difference, comparison)


def _operation_ruling(difference: Difference, comparison: Comparison) -> Ruling:
    kind, before, after = difference.kind, difference.expected, difference.actual
    match difference.path:
        case ():
            if kind is DifferenceKind.OPERATION_MISSING:
                return breaking(
                    "clients calling the operation get 404 or 405 (if it moved, "
                    "its new place is listed as added)"
                )

            return non_breaking("no client of our contract calls this operation yet")
        case ("parameters", _, _, "schema", *rest):
            return _schema_ruling(difference, rest, {Direction.REQUEST}, comparison)
        case ("requestBody", "content", _, "schema", *rest):
            return _schema_ruling(difference, rest, {Direction.REQUEST}, comparison)
        case ("responses", _, "content" | "headers", _, "schema", *rest):
            return _schema_ruling(difference, rest, {Direction.RESPONSE}, comparison)
        case ("parameters", *where):
            return parameter_ruling(kind, where, before, after)
        case ("requestBody", *where):
            return request_body_ruling(kind, where, before, after)
        case ("responses", status):
            return status_ruling(kind, status)
        case ("responses", status, "content", *where):
            return content_ruling(kind, status, where)
        case ("responses", status, "headers", *where):
            return header_ruling(kind, status, where, before, after)
        case ("security", *_):
            return requirements_ruling(
                security_of(comparison.expected, difference.scope),
                security_of(comparison.actual, difference.scope),
                "the operation",
            )
        case ("operationId",):
            return breaking(
                "generated clients name their methods after the operationId, and "
                "the mock routes by it: the wire is the same, the code is not"
            )
        case ("deprecated",):
            return non_breaking("deprecation warns clients; the operation still works")

    return unclassified(f"{difference.pointer} of an operation")


def _schema_ruling(
    difference: Difference,
    rest: Sequence[str],
    directions: set[Direction] | frozenset[Direction],
    comparison: Comparison,
) -> Ruling:
    """A change inside a schema, judged in each direction the schema is used."""
    site = locate_in_schema(tuple(rest))
    if site is None:
        return unclassified(f"a change inside the value at {difference.pointer}")

    parent = (*difference.path[: len(difference.path) - len(rest)], *site.parent)
    change = SchemaChange(
        kind=difference.kind,
        site=site,
        expected=difference.expected,
        actual=difference.actual,
        expected_parent=comparison.node(comparison.expected, difference.scope, parent),
        actual_parent=comparison.node(comparison.actual, difference.scope, parent),
    )
    rulings = [
        judge_schema_change(change, direction) for direction in sorted(directions)
    ]
    return next(
        (ruling for ruling in rulings if ruling.verdict is Verdict.BREAKING),
        rulings[0],
    )


def _component_ruling(difference: Difference, comparison: Comparison) -> Ruling:
    name, *rest = difference.path
    if not rest:
        return non_breaking(
            "a component's name is not on the wire; the operations that use it are "
            "compared on their own"
        )

    uses = comparison.schema_uses.get(name, frozenset())
    if uses:
        return _schema_ruling(difference, rest, uses, comparison)

    ruling = _schema_ruling(difference, rest, set(Direction), comparison)
    return Ruling(
        ruling.verdict,
        f"no operation uses it, so both directions count: {ruling.reason}",
    )


def _service_account_operations(
    document: dict[str, Any],
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Each of the seven operations with its path item, at its place or by its id."""
    places = {(wanted.path, wanted.method) for wanted in SERVICE_ACCOUNT_OPERATIONS}
    ids = {wanted.operation_id for wanted in SERVICE_ACCOUNT_OPERATIONS}
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue

        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict) and (
                (path, method) in places or operation.get("operationId") in ids
            ):
                yield item, operation


def schema_uses(document: dict[str, Any]) -> dict[str, frozenset[Direction]]:
    """Which way each component schema travels in the service-account operations.

    A schema reached from parameters or a request body is used in requests, one
    reached from responses in responses, and some in both.
    """
    requests, responses = Resolver(document), Resolver(document)
    for path_item, operation in _service_account_operations(document):
        requests.resolve(
            [
                *(path_item.get("parameters") or []),
                *(operation.get("parameters") or []),
                operation.get("requestBody") or {},
            ]
        )
        responses.resolve(operation.get("responses") or {})

    found = {Direction.REQUEST: requests, Direction.RESPONSE: responses}
    return {
        name: frozenset(
            direction
            for direction, resolver in found.items()
            if name in resolver.schema_names
        )
        for name in requests.schema_names | responses.schema_names
    }
