"""Realistic error answers, forced by a fault or a ``Prefer: code=`` header.

Each forced status gets the body the real server sends for its most common
cause on that operation, so a frontend sees exactly what it would see from
Unleash.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from mock_server.auth import PermissionDenied, Unauthorized
from mock_server.description import Operation
from mock_server.errors import ApiError, ErrorKind, MockUsageError, echoed
from mock_server.refusals import BadData, PayloadTooLarge, UnsupportedContentType
from mock_server.rules import (
    AccountNotFound,
    InvalidToken,
    TokenNotFound,
    UsernameTaken,
)


class UndocumentedStatus(MockUsageError):
    """A forced status the operation does not document, or cannot be forced."""

    def __init__(
        self,
        operation: Operation,
        status: object,
        pointer: str,
        allowed: tuple[int, ...] | None = None,
    ) -> None:
        allowed = operation.statuses if allowed is None else allowed
        listed = ", ".join(str(code) for code in allowed)

        if status in operation.statuses:
            # Documented, but a success: a fault only forces errors.
            problem = (
                f"Status {echoed(str(status))} is a success of "
                f"{operation.operation_id}; "
                "a fault forces an error status."
            )
        else:
            problem = (
                f"Status {echoed(str(status))} is not documented for "
                f"{operation.operation_id}."
            )

        super().__init__(
            ErrorKind.BAD_DATA,
            f"{problem} Use one of: {listed}.",
            details=[{"path": pointer, "message": f"Allowed: {listed}."}],
        )


@dataclass(frozen=True)
class Sent:
    """What the forced request carried, so that its error can name it."""

    path: Mapping[str, str]
    content_type: str | None
    body: bytes | None

    @property
    def username(self) -> str:
        """The username the request asked for, or a stand-in when it gave none."""
        try:
            value = json.loads(self.body or b"null")
        except ValueError:
            value = None

        username = value.get("username") if isinstance(value, dict) else None
        return echoed(username) if isinstance(username, str) else "service-account"


def forced_error(operation: Operation, status: int, sent: Sent) -> ApiError:
    """The error Unleash most often answers with this status on this operation."""
    operation_id = operation.operation_id
    path = sent.path
    account_id = path.get("id", "1")

    if status == 400:
        if operation_id == "createServiceAccountToken":
            return InvalidToken(
                ErrorKind.BAD_DATA, "The expiry date should be in future."
            )

        pointer = (
            "/body/username"
            if operation_id == "createServiceAccount"
            else ("/body/rootRole")
        )
        return BadData(
            [
                {
                    "path": pointer,
                    "message": f"The `{pointer}` property is required. "
                    "It was not present on the data you sent.",
                }
            ]
        )

    if status == 401:
        return Unauthorized()

    if status == 403:
        return PermissionDenied()

    if status == 404:
        if operation_id == "deleteServiceAccountToken":
            numeric = int(account_id) if account_id.isdecimal() else 0
            return TokenNotFound(numeric, path.get("tokenId", "1"))

        return AccountNotFound(account_id)

    if status == 409:
        if operation_id == "createServiceAccountToken":
            return InvalidToken(
                ErrorKind.NAME_EXISTS, "PAT description already exists."
            )

        return UsernameTaken(sent.username)

    if status == 413:
        return PayloadTooLarge()

    if status == 415:
        return UnsupportedContentType(sent.content_type)

    raise ValueError(f"no forced answer for status {status}")


FORCEABLE_STATUSES = frozenset({400, 401, 403, 404, 409, 413, 415})


def forceable(operation: Operation) -> tuple[int, ...]:
    """The error statuses of an operation that a fault or Prefer may force."""
    return tuple(code for code in operation.statuses if code in FORCEABLE_STATUSES)
