"""What every scenario works with: the client, the judge and the run's records.

Scenarios create what they need through the API, named with the run's prefix,
and aim every call at ids the ledger says the run owns.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from conformance.client import ApiClient, Exchange
from conformance.instants import from_now
from conformance.judge import Judge
from conformance.ledger import Ledger
from conformance.operations import ACCOUNTS
from conformance.settings import RunSettings

# Unleash's built-in root roles, used when the server's list names none.
BUILT_IN_ROLES = {"Admin": 1, "Editor": 2, "Viewer": 3}


@dataclass
class World:
    client: ApiClient
    judge: Judge
    ledger: Ledger
    settings: RunSettings
    roles: dict[str, int] = field(default_factory=lambda: dict(BUILT_IN_ROLES))
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def name(self, what: str) -> str:
        return f"{self.settings.prefix}{what}-{next(self._counter)}"

    @property
    def viewer(self) -> int:
        return self.roles["Viewer"]

    def learn_roles(self, listing: Exchange) -> None:
        """Take the root role ids from a list response, where it names them."""
        body = listing.json
        roles = body.get("rootRoles") if isinstance(body, dict) else None

        for role in roles or []:
            known = isinstance(role, dict) and role.get("name") in self.roles

            if known and isinstance(role.get("id"), int):
                self.roles[role["name"]] = role["id"]

    def create_account(
        self, role: str = "Viewer", *, token: str | None = "", **body: Any
    ) -> Exchange:
        body = {
            "username": self.name("account"),
            "name": "Conformance check account",
            "rootRole": self.roles[role],
            **body,
        }
        return self.client.send("POST", ACCOUNTS, body=body, token=token)

    def create_token(
        self, account_id: int, *, expires_in: timedelta = timedelta(days=1), **body: Any
    ) -> Exchange:
        body = {
            "description": self.name("token"),
            "expiresAt": from_now(expires_in),
            **body,
        }
        return self.client.send("POST", f"{ACCOUNTS}/{account_id}/token", body=body)

    def accounts(self) -> Exchange:
        return self.client.send("GET", ACCOUNTS)


def created_id(exchange: Exchange) -> int | None:
    """The id of what a 201 created, when the body gives one."""
    body = exchange.json

    if exchange.status != 201 or not isinstance(body, dict):
        return None

    value = body.get("id")
    return int(value) if isinstance(value, int | float) else None


def created_secret(exchange: Exchange) -> str | None:
    """The secret a token create answered with, when it gave one."""
    body = exchange.json
    secret = body.get("secret") if isinstance(body, dict) else None
    return secret if isinstance(secret, str) and secret else None


def listed_account(listing: Exchange, account_id: int) -> dict[str, Any] | None:
    body = listing.json
    accounts = body.get("serviceAccounts") if isinstance(body, dict) else None

    for account in accounts or []:
        if isinstance(account, dict) and account.get("id") == account_id:
            return account

    return None


def status_is(*statuses: int) -> Callable[[Exchange], bool]:
    return lambda exchange: exchange.status in statuses


def says(*statuses: int) -> str:
    return " or ".join(str(status) for status in statuses)
