"""Values for whole-body assertions where a part is random: ids and secrets."""

from __future__ import annotations

import re
from typing import Any

from mock_server.auth import DEFAULT_ADMIN_TOKEN

ADMIN_HEADERS = {"Authorization": DEFAULT_ADMIN_TOKEN}


class Matches:
    """Equal to any string the pattern matches in full."""

    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(pattern)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.pattern.fullmatch(other) is not None

    def __hash__(self) -> int:
        return hash(self.pattern.pattern)

    def __repr__(self) -> str:
        return f"Matches({self.pattern.pattern!r})"


UUID = Matches(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
SECRET = Matches(r"user:[0-9a-f]{56}")


def error_body(
    name: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The body Unleash sends for an error, with a random error id."""
    return {
        "id": UUID,
        "name": name,
        "message": message,
        "details": details if details is not None else [{"message": message}],
        **extra,
    }


def bad_data(*details: dict[str, str]) -> dict[str, Any]:
    return error_body(
        "BadDataError",
        "Request validation failed: your request body or params contain invalid "
        "data. Refer to the `details` list for more information.",
        list(details),
    )


def required(pointer: str) -> dict[str, str]:
    return {
        "path": pointer,
        "message": f"The `{pointer}` property is required. "
        "It was not present on the data you sent.",
    }


def not_found_account(raw_id: str) -> dict[str, Any]:
    return error_body(
        "NotFoundError", f"Could not find a service account with id {raw_id!r}."
    )
