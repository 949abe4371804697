"""A schema a screen compiles never passes a value openapi-core's schema check refuses.

``test_screens.py`` puts whole messages of this description to both sides;
these tests go keyword by keyword, with schemas the description does not use
(yet), so that a later edit of the description cannot open a gap. Each case
is a value openapi-core refuses and jsonschema-rs, given the schema as it
stood, accepted.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema.exceptions import UnknownType
from jsonschema_path import SchemaPath
from openapi_core.validation.schemas import oas30_write_schema_validators_factory
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue

from mock_server.screens import Translation, Untranslatable, compiled

COMPONENTS = {"text": {"type": "string"}, "thing": {"type": "object"}}


def openapi_core_accepts(schema: dict[str, Any], value: Any) -> bool:
    document = {
        "openapi": "3.0.3",
        "info": {"title": "schemas", "version": "1"},
        "paths": {},
        "components": {"schemas": {**COMPONENTS, "checked": schema}},
    }
    spec = SchemaPath.from_dict(document)
    validator = oas30_write_schema_validators_factory.create(
        spec, spec / "components" / "schemas" / "checked"
    )

    try:
        validator.validate(value)
    except InvalidSchemaValue:
        return False
    except (UnknownType, TypeError):
        # It fails on a type OpenAPI 3.0 does not have: it passes nothing.
        return False

    return True


def screen_passes(schema: dict[str, Any], value: Any) -> bool:
    """Whether the compiled schema passes the value; untranslatable passes nothing."""
    translation = Translation(
        {"components": {"schemas": COMPONENTS}},
        frozenset(oas30_write_schema_validators_factory.format_checker.checkers),
    )

    try:
        check = compiled(schema, translation, for_requests=True)
    except Untranslatable:
        return False

    return check(value)


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        pytest.param(
            {"type": "object", "properties": {"a": {"$ref": "#/x", "maxLength": 2}}},
            {"a": "abc"},
            id="ref-with-a-sibling-keyword",
        ),
        pytest.param(
            {"type": "array", "items": {"$ref": "#/x", "maxLength": 2}},
            ["abc"],
            id="ref-with-a-sibling-keyword-in-items",
        ),
        pytest.param(
            {"type": "integer", "format": "int32"}, 2**31, id="int32-out-of-range"
        ),
        pytest.param(
            {"type": "integer", "format": "int64"}, 2**63, id="int64-out-of-range"
        ),
        pytest.param({"format": "int32"}, -(2**40), id="int32-without-type"),
        pytest.param(
            {"type": "number", "multipleOf": 0.01}, 0.07, id="multiple-of-a-fraction"
        ),
        pytest.param(
            {"type": "number", "multipleOf": 600},
            3.713912513540475e26,
            id="multiple-of-an-integer-huge-float",
        ),
        pytest.param(
            {"type": "number", "minimum": 2**64, "exclusiveMinimum": True},
            float(2**64),
            id="exclusive-minimum-past-double-precision",
        ),
        pytest.param(
            {"type": "array", "uniqueItems": True},
            [2**64, float(2**64)],
            id="unique-items-int-and-equal-float",
        ),
        pytest.param({"type": ["string", "null"]}, None, id="type-as-a-list"),
        pytest.param({"type": "null"}, None, id="type-null-is-not-openapi-3-0"),
    ],
)
def test_a_compiled_schema_never_passes_what_openapi_core_refuses(
    schema: dict[str, Any], value: Any
) -> None:
    schema = _with_components(schema)

    passed = screen_passes(schema, value)

    assert openapi_core_accepts(schema, value) is False
    assert passed is False


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        pytest.param(
            {"type": "string", "format": "date-time", "nullable": True},
            None,
            id="nullable-date-time",
        ),
        pytest.param(
            {"type": "integer", "minimum": 1}, 2**70, id="integer-beyond-64-bits"
        ),
        pytest.param(
            {"type": "object", "additionalProperties": {"type": "integer"}},
            {"a": 1},
            id="additional-properties-schema",
        ),
        pytest.param(
            {"type": "object", "properties": {"a": {"$ref": "#/x"}}},
            {"a": "abc"},
            id="ref-alone",
        ),
        pytest.param(
            {"type": "string", "format": "uuid"},
            "6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b",
            id="uuid",
        ),
    ],
)
def test_a_compiled_schema_passes_what_both_accept(
    schema: dict[str, Any], value: Any
) -> None:
    schema = _with_components(schema)

    passed = screen_passes(schema, value)

    assert openapi_core_accepts(schema, value) is True
    assert passed is True


NUMBERS = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(2**64), max_value=2**64).map(float),
    st.sampled_from([0, -0.0, 2**53, 2**53 + 1, 2.0**53, 2**64, 1e16, 10**16 + 1]),
)
NUMERIC_KEYWORDS = st.one_of(
    st.fixed_dictionaries(
        {"minimum": NUMBERS}, optional={"exclusiveMinimum": st.booleans()}
    ),
    st.fixed_dictionaries(
        {"maximum": NUMBERS}, optional={"exclusiveMaximum": st.booleans()}
    ),
    st.fixed_dictionaries({"multipleOf": st.integers(1, 1000) | st.floats(0.01, 2)}),
)


@settings(
    max_examples=3000,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(schema=NUMERIC_KEYWORDS, value=NUMBERS)
def test_a_numeric_bound_the_screen_passes_openapi_core_accepts(
    schema: dict[str, Any], value: Any
) -> None:
    if screen_passes(schema, value):
        assert openapi_core_accepts(schema, value), (schema, value)


def _with_components(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with its ``#/x`` references pointing at a string component."""
    if schema.get("$ref") == "#/x":
        return {**schema, "$ref": "#/components/schemas/text"}

    return {
        key: _with_components(value) if isinstance(value, dict) else value
        for key, value in schema.items()
    }
