"""Whether changes to a request or response, around its schemas, break clients.

The request side is the parameters and the body a client sends; the response side is
the statuses a server answers with, and each one's content and headers. Changes inside
their schemas are judged in ``schema_changes``.
"""

from __future__ import annotations

from collections.abc import Sequence

from conformance.differences import DifferenceKind, Side
from conformance.verdicts import Ruling, breaking, non_breaking, quoted, unclassified

__all__ = [
    "content_ruling",
    "header_ruling",
    "parameter_ruling",
    "request_body_ruling",
    "status_ruling",
]

ADDED = (DifferenceKind.KEY_ADDED, DifferenceKind.STATUS_ADDED)
MISSING = (DifferenceKind.KEY_MISSING, DifferenceKind.STATUS_MISSING)


def parameter_ruling(
    kind: DifferenceKind, where: Sequence[str], before: Side, after: Side
) -> Ruling:
    """Parameters removed or added, or a parameter made (not) required."""
    if len(where) <= 2 and kind in MISSING:
        return breaking(
            f"{_shown(_parameters(where, before))} no longer documented: the server "
            "ignores or refuses what clients send there"
        )

    if len(where) <= 2 and kind in ADDED:
        added = _parameters(where, after)
        required = [item for item in added if _is_required(item[2])]
        if required:
            return breaking(
                f"new required {_shown(required)}: clients do not send it today"
            )

        return non_breaking(
            f"new optional {_shown(added)}: requests without it stay valid"
        )

    match where:
        case (location, name, "required"):
            if after is True and before is not True:
                return breaking(
                    f"{location} parameter {quoted(name)} becomes required: requests "
                    "without it are refused"
                )

            return non_breaking(
                f"{location} parameter {quoted(name)} is no longer required: requests "
                "with it stay valid"
            )
        case (_, _, "deprecated"):
            return non_breaking("deprecation warns clients; the parameter still works")

    return unclassified(f"a parameter's {'/'.join(where)}")


Parameter = tuple[str, str, Side]


def _parameters(where: Sequence[str], value: Side) -> list[Parameter]:
    """The (location, name, parameter) triples a difference adds or removes.

    ``where`` is empty for all of an operation's parameters, names a location for
    all parameters there, or a location and a name for one parameter.
    """
    if len(where) == 2:
        return [(where[0], where[1], value)]

    groups = {where[0]: value} if where else value
    if not isinstance(groups, dict):
        return []

    return [
        (location, name, parameter)
        for location, group in groups.items()
        if isinstance(group, dict)
        for name, parameter in group.items()
    ]


def _shown(parameters: list[Parameter]) -> str:
    return ", ".join(
        f"{location} parameter {quoted(name)}" for location, name, _ in parameters
    )


def _is_required(parameter: Side) -> bool:
    return isinstance(parameter, dict) and parameter.get("required") is True


def request_body_ruling(
    kind: DifferenceKind, where: Sequence[str], before: Side, after: Side
) -> Ruling:
    match where:
        case () if kind in MISSING:
            return breaking(
                "the operation takes no body any more: the server ignores or refuses "
                "the one clients send"
            )
        case () if kind in ADDED:
            if isinstance(after, dict) and after.get("required") is True:
                return breaking("a required request body is added: clients send none")

            return non_breaking(
                "an optional request body is added: requests without one stay valid"
            )
        case ("required",):
            if after is True and before is not True:
                return breaking(
                    "the request body becomes required: requests without one are "
                    "refused"
                )

            return non_breaking(
                "the request body is no longer required: requests with one stay valid"
            )
        case ("content", media) if kind in MISSING:
            return breaking(
                f"the server no longer takes {media} bodies: clients sending them are "
                "refused with 415"
            )
        case ("content", media) if kind in ADDED:
            return non_breaking(
                f"the server takes {media} bodies as well: the media types clients "
                "send today still work"
            )

    return unclassified(f"the request body's {'/'.join(where) or 'shape'}")


def status_ruling(kind: DifferenceKind, status: str) -> Ruling:
    """A documented status removed or added."""
    if kind in MISSING:
        return breaking(
            f"{status} is no longer documented: clients that handle it may get "
            "something else, and a server still answering it breaks the contract"
        )

    if status[0] in "45" or status == "default":
        return non_breaking(
            f"{status} is newly documented: clients already treat any 4xx or 5xx as "
            "an error, and no answer they rely on changes"
        )

    # A success or redirect is different: clients check for the status they were
    # promised, and a new one may come instead of it.
    return breaking(
        f"{status} is newly documented: clients that check for the status promised "
        "today may get this one instead"
    )


def content_ruling(kind: DifferenceKind, status: str, where: Sequence[str]) -> Ruling:
    """A response body, or one of its media types, removed or added."""
    match where:
        case () if kind in MISSING:
            return breaking(
                f"the {status} response loses its body: clients that read it find none"
            )
        case () if kind in ADDED:
            return non_breaking(
                f"the {status} response gains a body: clients that read none ignore it"
            )
        case (media,) if kind in MISSING:
            return breaking(
                f"the {status} response no longer comes as {media}: clients that "
                "read it get another media type"
            )
        case (media,) if kind in ADDED:
            # The server picks among its media types by the request's Accept
            # header, and clients accept the types documented today.
            return non_breaking(
                f"the {status} response may also come as {media}: clients that "
                "accept today's media types still get one"
            )

    return unclassified(f"the {status} response's content at {'/'.join(where)}")


def header_ruling(
    kind: DifferenceKind, status: str, where: Sequence[str], before: Side, after: Side
) -> Ruling:
    """A response header removed, added, or made (not) required."""
    match where:
        case () | (_,) if kind in MISSING:
            shown = f"header {where[0]}" if where else "its headers"
            return breaking(
                f"the {status} response loses {shown}: clients that read it, as they "
                "read location to find what they created, find nothing"
            )
        case () | (_,) if kind in ADDED:
            shown = f"header {where[0]}" if where else "headers"
            return non_breaking(
                f"the {status} response gains {shown}: clients ignore headers they do "
                "not read"
            )
        case (name, "required"):
            if after is True and before is not True:
                return non_breaking(
                    f"header {name} becomes required in the {status} response: the "
                    "server promises more"
                )

            return breaking(
                f"header {name} is no longer required in the {status} response: "
                "clients can no longer count on it"
            )
        case (_, "deprecated"):
            return non_breaking("deprecation warns clients; the header still comes")

    return unclassified(f"the {status} response's headers at {'/'.join(where)}")
