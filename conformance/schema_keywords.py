"""How a change to one JSON Schema keyword moves the set of values a schema accepts.

Each rule takes the keyword and its value on both sides (``ABSENT`` where a side lacks
it) and answers with an ``Effect`` and a short phrase naming the change.
``KEYWORD_RULES`` at the end maps every keyword a rule covers to its rule.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from conformance.differences import ABSENT, Side
from conformance.resolver import JSONValue
from conformance.verdicts import Effect

__all__ = [
    "KEYWORD_RULES",
    "SCHEMA_LISTS",
    "SCHEMA_MAPS",
    "SUBSCHEMAS",
    "KeywordRule",
    "constraint_rule",
    "or_neutral",
]

# Keywords whose children are schemas under names (or list positions), and keywords
# whose value is one schema; a path through them leads to a nested schema.
SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions"})
SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
SUBSCHEMAS = frozenset(
    {"items", "additionalProperties", "not", "additionalItems", "contains"}
    | {"propertyNames", "unevaluatedProperties", "unevaluatedItems"}
)
# What leaving a keyword out means; adding it with this value changes nothing.
NEUTRAL_VALUES: dict[str, JSONValue] = {
    "nullable": False,
    "uniqueItems": False,
    "exclusiveMinimum": False,
    "exclusiveMaximum": False,
    "additionalProperties": True,
    "deprecated": False,
}
LOWER_BOUNDS = frozenset({"minimum", "minLength", "minItems", "minProperties"})
UPPER_BOUNDS = frozenset({"maximum", "maxLength", "maxItems", "maxProperties"})
# Keywords that only describe: validators and generated clients ignore them.
ANNOTATIONS = frozenset({"deprecated", "xml"})


KeywordRule = Callable[[str, Side, Side], tuple[Effect, str]]


def or_neutral(keyword: str, value: Side) -> Side:
    """``value``, or what its absence means for keywords whose absence means one."""
    if value is ABSENT and keyword in NEUTRAL_VALUES:
        return NEUTRAL_VALUES[keyword]

    return value


def _annotation_rule(keyword: str, _: Side, __: Side) -> tuple[Effect, str]:
    return Effect.ANNOTATES, f"{keyword} changes"


def constraint_rule(keyword: str, expected: Side, actual: Side) -> tuple[Effect, str]:
    """Any assertion keyword: adding one narrows, dropping one widens."""
    name = keyword or "the schema"
    if expected is ABSENT:
        return Effect.NARROWS, f"{name} is added"

    if actual is ABSENT:
        return Effect.WIDENS, f"{name} is dropped"

    return Effect.REPLACES, f"{name} changes"


def _set_effect(before: frozenset[str], after: frozenset[str]) -> Effect:
    """The effect of accepting ``after`` where ``before`` was accepted."""
    if before == after:
        return Effect.ANNOTATES

    if before < after:
        return Effect.WIDENS

    if after < before:
        return Effect.NARROWS

    return Effect.REPLACES


def _types(value: Side) -> frozenset[str] | None:
    """The JSON types a ``type`` value allows; integers are numbers too."""
    if isinstance(value, str):
        names = {value}
    elif isinstance(value, list):
        names = {str(item) for item in value}
    else:
        return None

    return frozenset(names | ({"integer"} if "number" in names else set()))


def _type_rule(keyword: str, expected: Side, actual: Side) -> tuple[Effect, str]:
    if expected is ABSENT or actual is ABSENT:
        return constraint_rule(keyword, expected, actual)

    before, after = _types(expected), _types(actual)
    if before is None or after is None:
        return Effect.REPLACES, "type changes"

    effect = _set_effect(before, after)
    verbs = {Effect.WIDENS: "widens", Effect.NARROWS: "narrows"}
    return effect, f"type {verbs.get(effect, 'changes')}"


def _names(value: Side) -> frozenset[str]:
    """The items of a list value as JSON text, so that any value can be compared."""
    items = value if isinstance(value, list) else []
    return frozenset(json.dumps(item, sort_keys=True) for item in items)


def _listed(names: frozenset[str]) -> str:
    return ", ".join(sorted(names))


def _gains_and_losses(
    keyword: str, before: frozenset[str], after: frozenset[str]
) -> str:
    """``required gains "email" and loses "name"``, say."""
    gained, lost = _listed(after - before), _listed(before - after)
    parts = [f"gains {gained}"] if gained else []
    parts += [f"loses {lost}"] if lost else []
    return f"{keyword} {' and '.join(parts) or 'is reordered'}"


def _required_rule(keyword: str, expected: Side, actual: Side) -> tuple[Effect, str]:
    before, after = _names(expected), _names(actual)
    # More required properties means fewer valid values, hence the swapped sides.
    return _set_effect(after, before), _gains_and_losses(keyword, before, after)


def _enum_rule(keyword: str, expected: Side, actual: Side) -> tuple[Effect, str]:
    if expected is ABSENT or actual is ABSENT:
        return constraint_rule(keyword, expected, actual)

    before, after = _names(expected), _names(actual)
    return _set_effect(before, after), _gains_and_losses(keyword, before, after)


def _switch_rule(keyword: str, expected: Side, actual: Side) -> tuple[Effect, str]:
    """A boolean keyword: ``nullable: true`` widens, ``uniqueItems: true`` narrows."""
    if not isinstance(expected, bool) or not isinstance(actual, bool):
        return Effect.REPLACES, f"{keyword} changes"

    if expected == actual:
        return Effect.ANNOTATES, f"{keyword}: {json.dumps(actual)} is made explicit"

    widens = actual if keyword == "nullable" else expected
    effect = Effect.WIDENS if widens else Effect.NARROWS
    return effect, f"{keyword} turns {json.dumps(actual)}"


def _openness(value: Side) -> int:
    """How much ``additionalProperties`` lets in: nothing, some keys, or any key."""
    if value is False:
        return 0

    if isinstance(value, dict) and value:
        return 1

    return 2


OPENNESS = ("closed (additionalProperties: false)", "constrained", "open")


def _openness_rule(keyword: str, expected: Side, actual: Side) -> tuple[Effect, str]:
    before, after = _openness(expected), _openness(actual)
    if before == after:
        return Effect.ANNOTATES, f"{keyword} is rewritten"

    effect = Effect.WIDENS if after > before else Effect.NARROWS
    return effect, f"the object turns {OPENNESS[after]}"


def _number(value: Side) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None

    return value


def _bound_rule(keyword: str, expected: Side, actual: Side) -> tuple[Effect, str]:
    before, after = _number(expected), _number(actual)
    if before is None or after is None:
        return constraint_rule(keyword, expected, actual)

    if before == after:
        return Effect.ANNOTATES, f"{keyword} is rewritten"

    rises = after > before
    narrows = rises if keyword in LOWER_BOUNDS else not rises
    effect = Effect.NARROWS if narrows else Effect.WIDENS
    return effect, f"{keyword} {'rises' if rises else 'falls'}"


def _exclusive_rule(keyword: str, expected: Side, actual: Side) -> tuple[Effect, str]:
    """OpenAPI 3.0 makes exclusiveMinimum a flag; 3.1 makes it a bound."""
    if isinstance(expected, bool) and isinstance(actual, bool):
        return _switch_rule(keyword, expected, actual)

    # Where one side is a 3.1 bound, a false flag means no bound at all.
    before = ABSENT if expected is False else expected
    after = ABSENT if actual is False else actual
    bound = "minimum" if keyword == "exclusiveMinimum" else "maximum"
    effect, phrase = _bound_rule(bound, before, after)
    return effect, phrase.replace(bound, keyword, 1)


# How each schema keyword moves the set of accepted values. A keyword missing here
# has no rule, and its changes count as breaking (see ``unclassified``).
KEYWORD_RULES: dict[str, KeywordRule] = {
    "type": _type_rule,
    "required": _required_rule,
    "enum": _enum_rule,
    "nullable": _switch_rule,
    "uniqueItems": _switch_rule,
    "additionalProperties": _openness_rule,
    "exclusiveMinimum": _exclusive_rule,
    "exclusiveMaximum": _exclusive_rule,
    **dict.fromkeys(LOWER_BOUNDS | UPPER_BOUNDS, _bound_rule),
    **dict.fromkeys(ANNOTATIONS, _annotation_rule),
    # An assertion added narrows, one dropped widens, one rewritten replaces:
    # nothing cheaper can tell whether an old and a new pattern overlap.
    **dict.fromkeys(
        {"", "format", "pattern", "multipleOf"}
        | (SUBSCHEMAS - {"additionalProperties"})
        | (SCHEMA_MAPS - {"properties"})
        | SCHEMA_LISTS,
        constraint_rule,
    ),
}
