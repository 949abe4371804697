"""Schema keyword rules that our description gives no natural place to mutate."""

from __future__ import annotations

import pytest

from conformance.differences import ABSENT, DifferenceKind, Side
from conformance.schema_changes import (
    SchemaChange,
    SchemaSite,
    judge_schema_change,
    locate_in_schema,
)
from conformance.verdicts import Direction, Ruling, Verdict

ADDED, CHANGED = DifferenceKind.KEY_ADDED, DifferenceKind.VALUE_CHANGED
REQUEST, RESPONSE = Direction.REQUEST, Direction.RESPONSE
B, N = Verdict.BREAKING, Verdict.NON_BREAKING


@pytest.mark.parametrize(
    ("steps", "site"),
    [
        pytest.param(("type",), SchemaSite((), "type"), id="keyword-at-the-root"),
        pytest.param((), SchemaSite((), ""), id="the-schema-itself"),
        pytest.param(
            ("properties", "name", "type"),
            SchemaSite(("properties", "name"), "type"),
            id="keyword-of-a-property",
        ),
        pytest.param(
            ("properties", "name"),
            SchemaSite((), "properties", "name"),
            id="a-property",
        ),
        pytest.param(
            ("items", "allOf", "1"),
            SchemaSite(("items",), "allOf", "1"),
            id="an-allof-entry-of-the-items",
        ),
        pytest.param(
            ("additionalProperties", "required"),
            SchemaSite(("additionalProperties",), "required"),
            id="keyword-of-additional-properties",
        ),
        pytest.param(("enum", "0", "label"), None, id="inside-an-enum-value"),
    ],
)
def test_path_below_a_schema_leads_to_its_site(
    steps: tuple[str, ...], site: SchemaSite | None
) -> None:
    assert locate_in_schema(steps) == site


@pytest.mark.parametrize(
    ("steps", "kind", "expected", "actual", "direction", "ruling"),
    [
        pytest.param(
            ("type",),
            CHANGED,
            "string",
            ["string", "null"],
            REQUEST,
            Ruling(
                N,
                "type widens in a request schema: every request valid today is "
                "still accepted",
            ),
            id="type-list-admits-null",
        ),
        pytest.param(
            ("exclusiveMinimum",),
            ADDED,
            ABSENT,
            True,
            REQUEST,
            Ruling(
                B,
                "exclusiveMinimum turns true in a request schema: requests valid "
                "today may be refused",
            ),
            id="openapi-3-0-exclusive-flag-set",
        ),
        pytest.param(
            ("exclusiveMinimum",),
            ADDED,
            ABSENT,
            5,
            REQUEST,
            Ruling(
                B,
                "exclusiveMinimum is added in a request schema: requests valid "
                "today may be refused",
            ),
            id="openapi-3-1-exclusive-bound-added",
        ),
        pytest.param(
            ("exclusiveMaximum",),
            CHANGED,
            10,
            20,
            REQUEST,
            Ruling(
                N,
                "exclusiveMaximum rises in a request schema: every request valid "
                "today is still accepted",
            ),
            id="openapi-3-1-exclusive-bound-raised",
        ),
        pytest.param(
            ("items", "uniqueItems"),
            ADDED,
            ABSENT,
            True,
            RESPONSE,
            Ruling(
                N,
                "uniqueItems turns true in a response schema: every response still "
                "fits what clients expect",
            ),
            id="unique-items-promised",
        ),
        pytest.param(
            ("pattern",),
            CHANGED,
            "^[a-z]+$",
            "^[a-z0-9]+$",
            RESPONSE,
            Ruling(
                B,
                "pattern changes in a response schema: responses may hold values "
                "clients do not expect",
            ),
            id="pattern-rewritten",
        ),
        pytest.param(
            ("allOf", "1"),
            ADDED,
            ABSENT,
            {"required": ["id"]},
            REQUEST,
            Ruling(
                B,
                "allOf/1 is added in a request schema: requests valid today may be "
                "refused",
            ),
            id="allof-entry-added",
        ),
        pytest.param(
            ("nullable",),
            ADDED,
            ABSENT,
            False,
            RESPONSE,
            Ruling(
                N,
                "nullable: false is made explicit in a response schema: no value "
                "changes validity",
            ),
            id="default-spelled-out",
        ),
        pytest.param(
            ("deprecated",),
            ADDED,
            ABSENT,
            True,
            RESPONSE,
            Ruling(
                N,
                "deprecated changes in a response schema: no value changes validity",
            ),
            id="deprecation",
        ),
    ],
)
def test_keyword_change_is_ruled_by_its_effect_and_direction(
    steps: tuple[str, ...],
    kind: DifferenceKind,
    expected: Side,
    actual: Side,
    direction: Direction,
    ruling: Ruling,
) -> None:
    site = locate_in_schema(steps)
    assert site is not None
    change = SchemaChange(kind, site, expected, actual, ABSENT, ABSENT)

    judged = judge_schema_change(change, direction)

    assert judged == ruling
