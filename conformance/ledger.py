"""What a run has created on the server, so that it touches nothing else.

Every path id the suite sends must name an account or token it created (or
created and then deleted); the ledger is how it knows. Teardown deletes what
the ledger still holds alive.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from conformance.client import Exchange
from conformance.operations import as_id


@dataclass
class Ledger:
    """Accounts and tokens this run created, alive or deleted."""

    live_accounts: list[int] = field(default_factory=list)
    deleted_accounts: list[int] = field(default_factory=list)
    # Token id to the id of the account that holds it.
    live_tokens: dict[int, int] = field(default_factory=dict)
    deleted_tokens: dict[int, int] = field(default_factory=dict)
    # Secrets the server showed this run; no output may repeat them.
    secrets: list[str] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def account_created(self, account_id: int) -> None:
        with self._lock:
            if account_id not in self.live_accounts:
                self.live_accounts.append(account_id)

            if account_id in self.deleted_accounts:
                self.deleted_accounts.remove(account_id)

    def account_deleted(self, account_id: int) -> None:
        with self._lock:
            if account_id in self.live_accounts:
                self.live_accounts.remove(account_id)
                self.deleted_accounts.append(account_id)

            for token_id, holder in list(self.live_tokens.items()):
                if holder == account_id:
                    self.token_deleted(token_id)

    def token_created(self, account_id: int, token_id: int, secret: str) -> None:
        with self._lock:
            self.live_tokens[token_id] = account_id
            self.deleted_tokens.pop(token_id, None)

            if secret and secret not in self.secrets:
                self.secrets.append(secret)

    def token_deleted(self, token_id: int) -> None:
        with self._lock:
            holder = self.live_tokens.pop(token_id, None)

            if holder is not None:
                self.deleted_tokens[token_id] = holder

    def owns_account(self, account_id: int) -> bool:
        with self._lock:
            return (
                account_id in self.live_accounts or account_id in self.deleted_accounts
            )

    def owns_token(self, account_id: int, token_id: int) -> bool:
        with self._lock:
            holder = self.live_tokens.get(token_id, self.deleted_tokens.get(token_id))
            return holder == account_id

    def known_accounts(self) -> set[int]:
        """Every account id the run has seen created, alive or deleted."""
        with self._lock:
            return {*self.live_accounts, *self.deleted_accounts}

    def any_account(self) -> int | None:
        """An account of ours to aim a call at: the newest alive, else a deleted one."""
        with self._lock:
            if self.live_accounts:
                return self.live_accounts[-1]

            return self.deleted_accounts[-1] if self.deleted_accounts else None

    def any_token_of(self, account_id: int) -> int | None:
        with self._lock:
            for tokens in (self.live_tokens, self.deleted_tokens):
                held = [
                    token for token, holder in tokens.items() if holder == account_id
                ]

                if held:
                    return held[-1]

            return None

    def shown_secrets(self) -> list[str]:
        """The secrets the server has shown so far, as a copy."""
        with self._lock:
            return list(self.secrets)

    def snapshot(self) -> tuple[list[int], dict[int, int]]:
        """The live accounts and tokens, newest first, for teardown."""
        with self._lock:
            return list(reversed(self.live_accounts)), dict(self.live_tokens)


def record(ledger: Ledger, exchange: Exchange) -> None:
    """Note in the ledger what a successful create or delete did."""
    if not 200 <= exchange.status < 300:
        return

    operation, ids = exchange.operation_id, exchange.path_ids
    body = exchange.json
    new_id = body.get("id") if isinstance(body, dict) else None
    new_id = int(new_id) if isinstance(new_id, int | float) else None

    if operation == "createServiceAccount" and new_id is not None:
        ledger.account_created(new_id)
    elif operation == "deleteServiceAccount" and (account := as_id(ids.get("id"))):
        ledger.account_deleted(account)
    elif operation == "createServiceAccountToken" and new_id is not None:
        account = as_id(ids.get("id"))
        secret = body.get("secret") if isinstance(body, dict) else None

        if account is not None:
            ledger.token_created(
                account, new_id, secret if isinstance(secret, str) else ""
            )
    elif operation == "deleteServiceAccountToken" and (
        token := as_id(ids.get("tokenId"))
    ):
        ledger.token_deleted(token)
