"""The business rules Unleash enforces on service accounts and their tokens.

Each refusal is an ``ApiError`` named after the rule it enforces. Where the
facts record Unleash's own message (the PAT rules), the mock uses it verbatim,
because clients may show it to people.
"""

from __future__ import annotations

import re
from datetime import datetime

from mock_server.errors import ApiError, ErrorKind, echoed
from mock_server.models import ROOT_ROLES, ServiceAccount

# Unleash's PAT_LIMIT: the most tokens one account may hold at once.
TOKEN_LIMIT = 10

_DECIMAL_ID = re.compile(r"[0-9]{1,18}")


class AccountNotFound(ApiError):
    def __init__(self, account_id: str) -> None:
        super().__init__(
            ErrorKind.NOT_FOUND,
            f"Could not find a service account with id {echoed(account_id)!r}.",
        )


class TokenNotFound(ApiError):
    def __init__(self, account_id: int, token_id: str) -> None:
        super().__init__(
            ErrorKind.NOT_FOUND,
            f"Could not find a token with id {echoed(token_id)!r} "
            f"on service account {account_id}.",
        )


class UsernameTaken(ApiError):
    def __init__(self, username: str) -> None:
        super().__init__(
            ErrorKind.NAME_EXISTS,
            f"A service account or user with the username {echoed(username)!r} already "
            "exists. Choose another username.",
        )


class UnknownRootRole(ApiError):
    def __init__(self, root_role: int) -> None:
        known = ", ".join(f"{role.id} ({role.name})" for role in ROOT_ROLES.values())
        shown = echoed(str(root_role))
        super().__init__(
            ErrorKind.BAD_DATA,
            f"There is no root role with id {shown}. Use one of: {known}.",
            details=[
                {
                    "path": "/body/rootRole",
                    "message": f"The root role {shown} does not exist.",
                }
            ],
        )


class InvalidToken(ApiError):
    """A token request Unleash's PAT rules refuse; messages are Unleash's own."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(kind, message)


def parse_id(raw: str) -> int | None:
    """The numeric id a path segment names, or None when it names none."""
    if _DECIMAL_ID.fullmatch(raw) is None:
        return None

    return int(raw)


def check_root_role(root_role: int) -> None:
    if root_role not in ROOT_ROLES:
        raise UnknownRootRole(root_role)


def check_new_token(
    account: ServiceAccount, description: str, expires_at: datetime, now: datetime
) -> None:
    """Unleash's PAT rules, checked in the order its PAT service checks them."""
    if not description:
        raise InvalidToken(ErrorKind.BAD_DATA, "PAT description cannot be empty.")

    if expires_at <= now:
        raise InvalidToken(ErrorKind.BAD_DATA, "The expiry date should be in future.")

    if len(account.tokens) >= TOKEN_LIMIT:
        raise InvalidToken(
            ErrorKind.OPERATION_DENIED,
            f"Too many PATs ({TOKEN_LIMIT}) already exist for this user.",
        )

    if any(token.description == description for token in account.tokens):
        raise InvalidToken(ErrorKind.NAME_EXISTS, "PAT description already exists.")
