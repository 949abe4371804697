"""How records look on the wire: the JSON bodies the description declares."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from mock_server.models import Role, ServiceAccount, Token
from mock_server.store import AccountRow, TokenRow
from mock_server.timestamps import format_instant


def account_json(account: ServiceAccount) -> dict[str, Any]:
    """A ``serviceAccountSchema`` body; its tokens never carry their secrets."""
    return {
        "id": account.id,
        "username": account.username,
        "name": account.name,
        "imageUrl": image_url(account.username),
        "rootRole": account.root_role,
        "createdAt": format_instant(account.created_at),
        "tokens": [token_json(token) for token in account.tokens],
    }


def listed_accounts(
    accounts: list[AccountRow], tokens: list[TokenRow]
) -> list[dict[str, Any]]:
    """``serviceAccountSchema`` bodies straight from stored rows, for the list."""
    tokens_of: dict[int, list[dict[str, Any]]] = {}

    for token_id, account_id, description, created, expires, seen in tokens:
        tokens_of.setdefault(account_id, []).append(
            {
                "id": token_id,
                "description": description,
                "expiresAt": expires,
                "createdAt": created,
                "seenAt": seen,
            }
        )

    return [
        {
            "id": account_id,
            "username": username,
            "name": name,
            "imageUrl": image_url(username),
            "rootRole": root_role,
            "createdAt": created,
            "tokens": tokens_of.get(account_id, []),
        }
        for account_id, username, name, root_role, created in accounts
    ]


def token_json(token: Token, secret: str | None = None) -> dict[str, Any]:
    """A ``patSchema`` body; the secret is given only when a token is created."""
    body: dict[str, Any] = {
        "id": token.id,
        "description": token.description,
        "expiresAt": format_instant(token.expires_at),
        "createdAt": format_instant(token.created_at),
        "seenAt": None if token.seen_at is None else format_instant(token.seen_at),
    }

    if secret is not None:
        body["secret"] = secret

    return body


def role_json(role: Role) -> dict[str, Any]:
    """A ``roleSchema`` body for a root role."""
    return {
        "id": role.id,
        "type": "root",
        "name": role.name,
        "description": role.description,
    }


@lru_cache(maxsize=4096)
def image_url(username: str) -> str:
    """The avatar Unleash generates: a Gravatar URL keyed by the username."""
    digest = hashlib.sha256(username.encode()).hexdigest()
    return f"https://gravatar.com/avatar/{digest}?s=42&d=retro&r=g"
