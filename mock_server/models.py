"""The records the mock keeps: roles, users, service accounts and their tokens.

Records are immutable. The store replaces a record to change it, so a record a
handler holds never changes under it while another request writes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Role:
    """A root role. Unleash ships Admin (1), Editor (2) and Viewer (3)."""

    id: int
    name: str
    description: str
    grants_admin: bool = False


ADMIN = Role(1, "Admin", "Manages every part of Unleash.", grants_admin=True)
EDITOR = Role(2, "Editor", "Works on feature flags, but manages no users.")
VIEWER = Role(3, "Viewer", "Reads everything and changes nothing.")
ROOT_ROLES: dict[int, Role] = {role.id: role for role in (ADMIN, EDITOR, VIEWER)}


@dataclass(frozen=True, slots=True)
class User:
    """A human user. It matters here only because it holds a username."""

    id: int
    username: str
    name: str


@dataclass(frozen=True, slots=True)
class Token:
    """A service-account token; the store keeps a hash of its secret only."""

    id: int
    account_id: int
    description: str
    secret_hash: str
    created_at: datetime
    expires_at: datetime
    seen_at: datetime | None = None

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at <= now


@dataclass(frozen=True, slots=True)
class ServiceAccount:
    """A service account and its tokens, in creation order."""

    id: int
    username: str
    name: str
    root_role: int
    created_at: datetime
    tokens: tuple[Token, ...] = field(default=())

    def token(self, token_id: int) -> Token | None:
        return next((token for token in self.tokens if token.id == token_id), None)


def hash_secret(secret: str) -> str:
    """The digest a token is found by; the secret itself is never stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    """A fresh token secret in Unleash 7's format: ``user:`` and 56 hex digits."""
    return f"user:{secrets.token_hex(28)}"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A whole state as plain records: what fixtures load and dumps write.

    ``last_user_id`` and ``last_token_id`` are the highest ids handed out so
    far, deleted ones included, so that a restored state never reuses an id.
    """

    users: tuple[User, ...] = ()
    accounts: tuple[ServiceAccount, ...] = ()
    last_user_id: int = 0
    last_token_id: int = 0
