"""Who is calling, and whether they may manage service accounts.

Unleash reads the ``Authorization`` header raw (``Authorization: <token>``) and
also strips a leading ``Bearer`` scheme, in any letter case, followed by
whitespace (its bearer-token middleware). Two kinds of credential reach the
service-account endpoints: an admin API token (``*:*.<secret>``), which always
passes, and a token created through the API (``user:<hex>``), which acts with
its account's root role. Only roles granting ADMIN may manage accounts.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass

from mock_server.errors import ApiError, ErrorKind
from mock_server.models import ROOT_ROLES
from mock_server.store import Store

DEFAULT_ADMIN_TOKEN = "*:*.unleash-insecure-admin-api-token"

_BEARER = re.compile(r"^Bearer\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a service account, or None for an admin token."""

    account_id: int | None


ADMIN_TOKEN_PRINCIPAL = Principal(account_id=None)


class AuthenticationRequired(ApiError):
    def __init__(self) -> None:
        super().__init__(
            ErrorKind.AUTHENTICATION_REQUIRED,
            "You must log in to use Unleash. Your request had no authorization "
            "header, so we could not authorize you. Try logging in at "
            "/auth/simple/login",
            extra={
                "path": "/auth/simple/login",
                "type": "password",
                "defaultHidden": False,
            },
        )


class Unauthorized(ApiError):
    def __init__(self) -> None:
        super().__init__(ErrorKind.UNAUTHORIZED, "You must log in to use Unleash.")


class PermissionDenied(ApiError):
    def __init__(self) -> None:
        super().__init__(
            ErrorKind.PERMISSION,
            "You don't have the required permissions to perform this operation. "
            'To perform this action, you need the "ADMIN" permission.',
            extra={"permissions": ["ADMIN"]},
        )


class Authenticator:
    """Checks credentials in Unleash's order: 401 before 403."""

    def __init__(self, admin_tokens: Iterable[str] = (DEFAULT_ADMIN_TOKEN,)) -> None:
        self.admin_tokens = tuple(admin_tokens)

    def authenticate(self, header: str | None, store: Store) -> Principal:
        """The caller an ``Authorization`` header names, allowed to manage accounts.

        Raises ``AuthenticationRequired`` or ``Unauthorized`` (401) when the
        header names nobody, ``PermissionDenied`` (403) when it names somebody
        whose root role does not grant ADMIN.
        """
        if not header or not header.strip():
            raise AuthenticationRequired()

        token = _BEARER.sub("", header.strip(), count=1)

        if self._is_admin_token(token):
            return ADMIN_TOKEN_PRINCIPAL

        account = store.use_token(token) if token.startswith("user:") else None

        if account is None:
            raise Unauthorized()

        if not ROOT_ROLES[account.root_role].grants_admin:
            raise PermissionDenied()

        return Principal(account_id=account.id)

    def _is_admin_token(self, token: str) -> bool:
        # A constant-time comparison, so the mock never teaches timing attacks.
        candidate = token.encode()
        return any(
            hmac.compare_digest(candidate, admin.encode())
            for admin in self.admin_tokens
        )
