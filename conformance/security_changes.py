"""Whether changes to how clients authenticate break them.

A list of security requirements offers alternatives: a client meets any one of them.
Losing an alternative refuses the clients that use it; gaining one refuses nobody.
A security scheme says where and how a credential travels, so any change to one moves
it away from where clients send it.
"""

from __future__ import annotations

import json

from conformance.differences import Difference, DifferenceKind, Side
from conformance.resolver import JSONValue
from conformance.structure import Structure
from conformance.verdicts import Ruling, breaking, non_breaking, quoted

__all__ = ["requirements_ruling", "scheme_ruling", "security_of"]


def security_of(structure: Structure, scope: str) -> JSONValue:
    """The requirements that hold for an operation: its own, or the document's."""
    operation = structure["operations"].get(scope, {})
    return operation["security"] if "security" in operation else structure["security"]


def _alternatives(requirements: Side) -> frozenset[str]:
    """Each alternative of a requirements list as JSON text: ``{"apiKey": []}``."""
    if not isinstance(requirements, list):
        return frozenset()

    return frozenset(json.dumps(item, sort_keys=True) for item in requirements)


def requirements_ruling(before: Side, after: Side, whose: str) -> Ruling:
    """A change to the alternatives of ``whose`` security requirements."""
    expected, actual = _alternatives(before), _alternatives(after)
    if expected and not actual:
        # No requirement at all may mean open access or only an undocumented one,
        # and a gate cannot tell which.
        return breaking(
            f"{whose} lists no security requirement any more: the contract no longer "
            "says how clients authenticate"
        )

    lost, gained = expected - actual, actual - expected
    if lost:
        return breaking(
            f"{whose} no longer accepts {', '.join(sorted(lost))}: clients that "
            "authenticate that way are refused"
        )

    if gained:
        return non_breaking(
            f"{whose} accepts {', '.join(sorted(gained))} as well: the credentials "
            "clients send today still work"
        )

    return non_breaking(f"{whose} lists the same alternatives in another order")


def scheme_ruling(difference: Difference) -> Ruling:
    """A security scheme removed, added or changed."""
    scheme = f"security scheme {quoted(difference.path[0])}"
    if len(difference.path) > 1:
        return breaking(
            f"{scheme} changes at {difference.pointer}: clients send credentials "
            "where and how it used to say"
        )

    if difference.kind is DifferenceKind.KEY_MISSING:
        return breaking(
            f"{scheme} is gone: clients that authenticate with it are refused"
        )

    return non_breaking(
        f"{scheme} is new: the ways clients authenticate today still work"
    )
