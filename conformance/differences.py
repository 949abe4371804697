"""Differences between two structures of the service-account operations.

``compare_structures(expected, actual)`` lists how ``actual`` departs from
``expected``: the test compares our description (actual) with Unleash's published one
(expected), and a drift check compares a newer document (actual) with ours (expected).
Whether a difference breaks clients is a question for a later classifier, which can
decide it from a difference's kind, location and the two values.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import TypeAlias

from conformance.resolver import JSONValue
from conformance.structure import Structure

__all__ = [
    "ABSENT",
    "Absent",
    "Difference",
    "DifferenceKind",
    "compare_structures",
]


class DifferenceKind(enum.StrEnum):
    """What sort of departure a difference is; "missing" means only expected has it."""

    OPERATION_MISSING = "operation-missing"
    OPERATION_ADDED = "operation-added"
    STATUS_MISSING = "status-missing"
    STATUS_ADDED = "status-added"
    KEY_MISSING = "key-missing"
    KEY_ADDED = "key-added"
    VALUE_CHANGED = "value-changed"


class Absent(enum.Enum):
    """The value on the side of a difference where the node does not exist."""

    ABSENT = "absent"

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = Absent.ABSENT
Side: TypeAlias = JSONValue | Absent
SHOWN_CHARACTERS = 60
# Top-level parts of a structure other than the operations.
SECTIONS = ("schemas", "securitySchemes", "security")


@dataclass(frozen=True)
class Difference:
    """One way in which the actual structure departs from the expected one.

    ``scope`` is an operation key such as ``PUT /api/admin/service-account/{id}``, or
    ``schemas``, ``securitySchemes`` or ``security``; ``path`` leads from there to the
    node, one key (or list index) per step.
    """

    scope: str
    path: tuple[str, ...]
    kind: DifferenceKind
    expected: Side
    actual: Side

    @property
    def pointer(self) -> str:
        """``path`` as an RFC 6901 JSON pointer, e.g. ``/responses/201/headers``."""
        return "".join(
            "/" + step.replace("~", "~0").replace("/", "~1") for step in self.path
        )

    def __str__(self) -> str:
        where = f"{self.scope}#{self.pointer}" if self.path else self.scope
        expected, actual = _show(self.expected), _show(self.actual)
        return f"{self.kind} at {where}: expected {expected}, got {actual}"


def _show(value: Side) -> str:
    """A value short enough for a one-line report."""
    if value is ABSENT:
        return "nothing"

    if isinstance(value, dict) and isinstance(value.get("operationId"), str):
        return f"operation {value['operationId']}"

    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    if len(text) > SHOWN_CHARACTERS:
        return text[: SHOWN_CHARACTERS - 1] + "…"

    return text


def _same(expected: JSONValue, actual: JSONValue) -> bool:
    """Equality that, unlike ``==``, tells ``true`` from ``1``."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual

    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(map(_same, expected, actual))

    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(
            _same(expected[key], actual[key]) for key in expected
        )

    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return expected == actual  # JSON Schema holds 1 and 1.0 to be the same number.

    return type(expected) is type(actual) and expected == actual


def _compare(
    scope: str,
    path: tuple[str, ...],
    expected: JSONValue,
    actual: JSONValue,
    differences: list[Difference],
) -> None:
    """Append to ``differences`` every departure of ``actual`` below ``path``."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        # Status codes get kinds of their own: they are what a checker reports on.
        statuses = path == ("responses",) and scope not in SECTIONS
        missing = (
            DifferenceKind.STATUS_MISSING if statuses else DifferenceKind.KEY_MISSING
        )
        added = DifferenceKind.STATUS_ADDED if statuses else DifferenceKind.KEY_ADDED
        for key in sorted(expected.keys() | actual.keys()):
            if key not in actual:
                differences.append(
                    Difference(scope, (*path, key), missing, expected[key], ABSENT)
                )
            elif key not in expected:
                differences.append(
                    Difference(scope, (*path, key), added, ABSENT, actual[key])
                )
            else:
                _compare(scope, (*path, key), expected[key], actual[key], differences)

        return

    if (
        isinstance(expected, list)
        and isinstance(actual, list)
        and len(expected) == len(actual)
        and any(isinstance(item, dict) for item in [*expected, *actual])
    ):
        # Lists of objects (allOf, security requirements) are compared item by item;
        # lists of scalars (required, enum) are values, reported whole.
        for index, (old, new) in enumerate(zip(expected, actual, strict=True)):
            _compare(scope, (*path, str(index)), old, new, differences)

        return

    if not _same(expected, actual):
        differences.append(
            Difference(scope, path, DifferenceKind.VALUE_CHANGED, expected, actual)
        )


def compare_structures(expected: Structure, actual: Structure) -> list[Difference]:
    """Every way in which ``actual`` departs from ``expected``, operations first."""
    differences: list[Difference] = []
    wanted, found = expected["operations"], actual["operations"]
    for key, operation in wanted.items():
        if key not in found:
            kind = DifferenceKind.OPERATION_MISSING
            differences.append(Difference(key, (), kind, operation, ABSENT))
        else:
            _compare(key, (), operation, found[key], differences)

    for key, operation in found.items():
        if key not in wanted:
            kind = DifferenceKind.OPERATION_ADDED
            differences.append(Difference(key, (), kind, ABSENT, operation))

    # The same walk serves the shared sections; a JSON object is a JSONValue.
    sections: tuple[tuple[str, JSONValue, JSONValue], ...] = (
        ("schemas", dict(expected["schemas"]), dict(actual["schemas"])),
        (
            "securitySchemes",
            dict(expected["securitySchemes"]),
            dict(actual["securitySchemes"]),
        ),
        ("security", expected["security"], actual["security"]),
    )
    for scope, old, new in sections:
        _compare(scope, (), old, new, differences)

    return differences
