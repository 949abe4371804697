"""The mock's state, kept consistent under concurrent requests.

One lock guards every read and write, so concurrent requests see each change
whole. Ids come from counters that only grow: Unleash soft-deletes users, so an
id is never handed out twice, while a deleted account's username is free again.
Human users and service accounts share one id sequence and one namespace of
usernames, because Unleash keeps both in its ``users`` table.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from mock_server.errors import MockServerError
from mock_server.models import (
    ROOT_ROLES,
    Role,
    ServiceAccount,
    Snapshot,
    Token,
    User,
    hash_secret,
    new_secret,
)
from mock_server.rules import (
    TOKEN_LIMIT,
    AccountNotFound,
    TokenNotFound,
    UsernameTaken,
    check_new_token,
    check_root_role,
    parse_id,
)
from mock_server.timestamps import Clock, utc_now


class InconsistentState(MockServerError):
    """A snapshot breaks an invariant of the store, such as a repeated id."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class Store:
    """Users, service accounts and tokens, behind one lock."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self.clock = clock
        self._lock = threading.RLock()
        self._users: dict[int, User] = {}
        self._accounts: dict[int, ServiceAccount] = {}
        self._owners_by_username: dict[str, int] = {}
        # secret hash -> (account id, token id); the token lives in its account.
        self._token_index: dict[str, tuple[int, int]] = {}
        self._token_ids: set[int] = set()
        self._last_user_id = 0
        self._last_token_id = 0

    # Reading

    def accounts(self) -> list[ServiceAccount]:
        with self._lock:
            return list(self._accounts.values())

    def users(self) -> list[User]:
        with self._lock:
            return list(self._users.values())

    def account(self, account_id: str) -> ServiceAccount:
        numeric_id = parse_id(account_id)

        with self._lock:
            account = None if numeric_id is None else self._accounts.get(numeric_id)

        if account is None:
            raise AccountNotFound(account_id)

        return account

    @staticmethod
    def roles_of(accounts: Iterable[ServiceAccount]) -> list[Role]:
        """The root roles these accounts hold, in id order."""
        role_ids = sorted({account.root_role for account in accounts})
        return [ROOT_ROLES[role_id] for role_id in role_ids]

    def snapshot(self) -> Snapshot:
        """The whole state, as immutable records that later writes leave alone."""
        with self._lock:
            return Snapshot(
                users=tuple(self._users.values()),
                accounts=tuple(self._accounts.values()),
                last_user_id=self._last_user_id,
                last_token_id=self._last_token_id,
            )

    # Writing

    def restore(self, snapshot: Snapshot) -> None:
        """Replace the whole state; raise ``InconsistentState`` if it is unsound."""
        fresh = Store(self.clock)

        for user in snapshot.users:
            fresh._insert_user(user)

        for account in snapshot.accounts:
            fresh._insert_account(account)

        with self._lock:
            self._users = fresh._users
            self._accounts = fresh._accounts
            self._owners_by_username = fresh._owners_by_username
            self._token_index = fresh._token_index
            self._token_ids = fresh._token_ids
            self._last_user_id = max(fresh._last_user_id, snapshot.last_user_id)
            self._last_token_id = max(fresh._last_token_id, snapshot.last_token_id)

    def create_account(
        self,
        username: str,
        name: str,
        root_role: int,
    ) -> ServiceAccount:
        check_root_role(root_role)

        with self._lock:
            self._claim_username(username)
            account = ServiceAccount(
                id=self._next_user_id(),
                username=username,
                name=name,
                root_role=int(root_role),
                created_at=self.clock(),
            )
            self._accounts[account.id] = account
            self._owners_by_username[username] = account.id
            return account

    def update_account(
        self, account_id: str, *, name: str | None, root_role: int | None
    ) -> ServiceAccount:
        if root_role is not None:
            check_root_role(root_role)

        with self._lock:
            account = self.account(account_id)
            account = replace(
                account,
                name=account.name if name is None else name,
                root_role=account.root_role if root_role is None else int(root_role),
            )
            self._accounts[account.id] = account
            return account

    def delete_account(self, account_id: str) -> None:
        with self._lock:
            account = self.account(account_id)

            for token in account.tokens:
                self._forget_token(token)

            del self._accounts[account.id]
            del self._owners_by_username[account.username]

    def create_token(
        self,
        account_id: str,
        description: str,
        expires_at: datetime,
    ) -> tuple[Token, str]:
        """Create a token and return it with its secret, which is never kept."""
        secret = new_secret()
        now = self.clock()

        with self._lock:
            account = self.account(account_id)
            check_new_token(account, description, expires_at, now)
            token = Token(
                id=self._next_token_id(),
                account_id=account.id,
                description=description,
                secret_hash=hash_secret(secret),
                created_at=now,
                expires_at=expires_at,
            )
            self._accounts[account.id] = replace(
                account, tokens=(*account.tokens, token)
            )
            self._token_index[token.secret_hash] = (account.id, token.id)
            self._token_ids.add(token.id)
            return token, secret

    def delete_token(self, account_id: str, token_id: str) -> None:
        with self._lock:
            account = self.account(account_id)
            numeric_id = parse_id(token_id)
            token = None if numeric_id is None else account.token(numeric_id)

            if token is None:
                raise TokenNotFound(account.id, token_id)

            remaining = tuple(kept for kept in account.tokens if kept is not token)
            self._accounts[account.id] = replace(account, tokens=remaining)
            self._forget_token(token)

    def use_token(self, secret: str) -> ServiceAccount | None:
        """The account a live token belongs to, recording the use; else None."""
        now = self.clock()

        with self._lock:
            owner = self._token_index.get(hash_secret(secret))

            if owner is None:
                return None

            account = self._accounts[owner[0]]
            token = account.token(owner[1])

            if token is None or token.is_expired(now):
                return None

            used = replace(token, seen_at=now)
            tokens = tuple(used if kept is token else kept for kept in account.tokens)
            account = replace(account, tokens=tokens)
            self._accounts[account.id] = account
            return account

    # Bookkeeping

    def _insert_user(self, user: User) -> None:
        self._check_new_user_id(user.id)
        self._check_username_free(user.username)
        self._users[user.id] = user
        self._owners_by_username[user.username] = user.id
        self._last_user_id = max(self._last_user_id, user.id)

    def _insert_account(self, account: ServiceAccount) -> None:
        self._check_new_user_id(account.id)
        self._check_username_free(account.username)

        if account.root_role not in ROOT_ROLES:
            raise InconsistentState(
                f"service account {account.id} has the unknown root role "
                f"{account.root_role}"
            )

        if len(account.tokens) > TOKEN_LIMIT:
            raise InconsistentState(
                f"service account {account.id} has {len(account.tokens)} tokens; "
                f"the limit is {TOKEN_LIMIT}"
            )

        for token in account.tokens:
            if token.account_id != account.id:
                raise InconsistentState(
                    f"token {token.id} sits in account {account.id} but names "
                    f"account {token.account_id} as its owner"
                )

            if token.id in self._token_ids:
                raise InconsistentState(f"token id {token.id} is used twice")

            if token.secret_hash in self._token_index:
                raise InconsistentState(f"token {token.id} repeats another's secret")

            self._token_index[token.secret_hash] = (account.id, token.id)
            self._token_ids.add(token.id)
            self._last_token_id = max(self._last_token_id, token.id)

        self._accounts[account.id] = account
        self._owners_by_username[account.username] = account.id
        self._last_user_id = max(self._last_user_id, account.id)

    def _check_new_user_id(self, user_id: int) -> None:
        if user_id in self._users or user_id in self._accounts:
            raise InconsistentState(f"user id {user_id} is used twice")

    def _check_username_free(self, username: str) -> None:
        if username in self._owners_by_username:
            raise InconsistentState(f"the username {username!r} is used twice")

    def _claim_username(self, username: str) -> None:
        if username in self._owners_by_username:
            raise UsernameTaken(username)

    def _forget_token(self, token: Token) -> None:
        del self._token_index[token.secret_hash]
        self._token_ids.discard(token.id)

    def _next_user_id(self) -> int:
        self._last_user_id += 1
        return self._last_user_id

    def _next_token_id(self) -> int:
        self._last_token_id += 1
        return self._last_token_id
