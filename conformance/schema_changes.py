"""Whether a change inside a JSON Schema breaks the clients of a contract.

A difference below a schema's root is first located: which keyword it touches, in
which subschema. Adding or removing a property is judged here, since its verdict
hangs on the object around it (open or closed, which names it requires); every other
keyword goes to its rule in ``schema_keywords``, whose effect the direction turns
into a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.differences import ABSENT, DifferenceKind, Side
from conformance.schema_keywords import (
    KEYWORD_RULES,
    SCHEMA_LISTS,
    SCHEMA_MAPS,
    SUBSCHEMAS,
    constraint_rule,
    or_neutral,
)
from conformance.verdicts import (
    CONSEQUENCES,
    Direction,
    Ruling,
    breaking,
    non_breaking,
    quoted,
    unclassified,
)

__all__ = [
    "SchemaChange",
    "SchemaSite",
    "judge_schema_change",
    "locate_in_schema",
]


@dataclass(frozen=True)
class SchemaSite:
    """Where a change sits in a schema: the keyword it touches, in which subschema.

    ``parent`` leads from the schema's root to the subschema holding ``keyword``;
    ``name`` is the property (or list position) below ``keyword`` when the change
    adds or removes one, as in ``properties/email``.
    """

    parent: tuple[str, ...]
    keyword: str
    name: str | None = None


def locate_in_schema(steps: tuple[str, ...]) -> SchemaSite | None:
    """The site a path below a schema's root leads to, or None inside a value."""
    if not steps:
        return SchemaSite((), "")

    index = 0
    while index < len(steps) - 1:
        keyword = steps[index]
        if keyword in SCHEMA_MAPS or keyword in SCHEMA_LISTS:
            if index + 2 == len(steps):
                return SchemaSite(steps[:index], keyword, steps[index + 1])

            index += 2
        elif keyword in SUBSCHEMAS:
            index += 1
        else:
            # Below a keyword like enum or default the path is inside data.
            return None

    return SchemaSite(steps[:index], steps[index])


@dataclass(frozen=True)
class SchemaChange:
    """One difference inside a schema, with the subschema around it on each side."""

    kind: DifferenceKind
    site: SchemaSite
    expected: Side
    actual: Side
    expected_parent: Side
    actual_parent: Side


def judge_schema_change(change: SchemaChange, direction: Direction) -> Ruling:
    """The verdict on ``change`` in a schema used in ``direction``."""
    keyword, name = change.site.keyword, change.site.name
    if keyword == "properties":
        return _property_ruling(change, direction)

    if keyword == "default":
        if direction is Direction.RESPONSE:
            return non_breaking("a default in a response schema validates nothing")

        return breaking(
            "the default of a request field changes: the server fills in another "
            "value where clients leave it out"
        )

    rule = KEYWORD_RULES.get(keyword)
    if rule is None:
        return unclassified(f"{quoted(keyword)} in a {direction} schema")

    if name is not None:
        # One entry of allOf, patternProperties and the like: a subschema of its own.
        keyword, rule = f"{keyword}/{name}", constraint_rule

    expected = or_neutral(keyword, change.expected)
    actual = or_neutral(keyword, change.actual)
    effect, phrase = rule(keyword, expected, actual)
    consequence = CONSEQUENCES[direction, effect]
    return Ruling(
        consequence.verdict, f"{phrase} in a {direction} schema: {consequence.reason}"
    )


def _property_names(change: SchemaChange) -> tuple[str, ...]:
    """The properties a change adds or removes: one, or a whole ``properties``."""
    if change.site.name is not None:
        return (change.site.name,)

    value = change.actual if change.expected is ABSENT else change.expected
    return tuple(sorted(value)) if isinstance(value, dict) else ()


def _closed(schema: Side) -> bool:
    return isinstance(schema, dict) and schema.get("additionalProperties") is False


def _required(schema: Side) -> frozenset[str]:
    listed = schema.get("required") if isinstance(schema, dict) else None
    return (
        frozenset(str(name) for name in listed)
        if isinstance(listed, list)
        else (frozenset())
    )


def _property_ruling(change: SchemaChange, direction: Direction) -> Ruling:
    """A property added to or removed from an object schema."""
    names = _property_names(change)
    shown = ", ".join(map(quoted, names))
    if change.kind is DifferenceKind.VALUE_CHANGED or not names:
        return unclassified(f"a change of properties {shown} in a {direction} schema")

    if change.kind is DifferenceKind.KEY_MISSING:
        if direction is Direction.REQUEST:
            return breaking(
                f"request property {shown} is gone: the server refuses or ignores "
                "it where clients send it"
            )

        return breaking(
            f"response property {shown} is gone: clients that read it can no longer "
            "count on it"
        )

    if direction is Direction.REQUEST:
        if _required(change.actual_parent) & set(names):
            return breaking(
                f"new request property {shown} is required: requests without it "
                "are refused"
            )

        return non_breaking(
            f"new request property {shown} is optional: requests without it stay valid"
        )

    if _closed(change.expected_parent):
        # Decided: a closed object promised that no other key would appear, and
        # clients that validate responses (as this suite does unless --lenient)
        # refuse an undeclared key, so a new one breaks them.
        return breaking(
            f"new response property {shown} in a closed object "
            "(additionalProperties: false): strict clients refuse keys it did "
            "not declare"
        )

    return non_breaking(
        f"new response property {shown} in an open object: clients ignore keys "
        "they do not know"
    )
