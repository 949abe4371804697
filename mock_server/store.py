"""One session's state, read and written in database transactions.

Ids come from per-session counters that only grow: Unleash soft-deletes users,
so an id is never handed out twice, while a deleted account's username is free
again. Human users and service accounts share one id sequence and one
namespace of usernames, because Unleash keeps both in its ``users`` table.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from mock_server.database import Database
from mock_server.errors import MockServerError
from mock_server.lists import BuiltLists
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
from mock_server.timestamps import Clock, format_instant, parse_instant, utc_now

_ACCOUNT_COLUMNS = "id, username, name, root_role, created_at"
_TOKEN_COLUMNS = (
    "id, account_id, description, secret_hash, created_at, expires_at, seen_at"
)

# What a list shows of a token: everything but its secret's hash.
_LISTED_TOKEN_COLUMNS = "id, account_id, description, created_at, expires_at, seen_at"

# Rows of a listing, in the order of the columns above; instants are stored as
# the API writes them (``format_instant``).
AccountRow = tuple[int, str, str, int, str]
TokenRow = tuple[int, int, str, str, str, str | None]


@dataclass(frozen=True, slots=True)
class Listing:
    """The rows a list is built from, and the generation they belong to."""

    generation: int
    accounts: list[AccountRow]
    tokens: list[TokenRow]


class InconsistentState(MockServerError):
    """A snapshot breaks an invariant of the store, such as a repeated id."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class Store:
    """Users, service accounts and tokens of one session."""

    def __init__(
        self,
        database: Database,
        session: str = "default",
        clock: Clock = utc_now,
        lists: BuiltLists | None = None,
    ) -> None:
        self.database = database
        self.session = session
        self.clock = clock
        # Shared by every store of one database, so a list outlives a request.
        self.lists = BuiltLists() if lists is None else lists

    # Reading

    def accounts(self) -> list[ServiceAccount]:
        with self.database.reading() as db:
            return self._accounts(db)

    def users(self) -> list[User]:
        with self.database.reading() as db:
            return self._users(db)

    def account(self, account_id: str) -> ServiceAccount:
        with self.database.reading() as db:
            return self._account(db, account_id)

    def generation(self) -> int:
        """The generation of every session's records (``lists.py``)."""
        value: int = self.database.fetch_one("SELECT value FROM generation", ())[0]
        return value

    def listing(self) -> Listing:
        """Every service account and token as stored rows, all read at once.

        The list is the one answer that can hold thousands of records; read as
        rows, it builds no model objects and parses no instants.
        """
        with self.database.reading() as db:
            generation = db.execute("SELECT value FROM generation").fetchone()[0]
            accounts = db.execute(
                f"SELECT {_ACCOUNT_COLUMNS} FROM users "
                "WHERE session = ? AND root_role IS NOT NULL ORDER BY id",
                (self.session,),
            ).fetchall()
            tokens = db.execute(
                f"SELECT {_LISTED_TOKEN_COLUMNS} FROM tokens "
                "WHERE session = ? ORDER BY id",
                (self.session,),
            ).fetchall()

        return Listing(generation, accounts, tokens)

    @staticmethod
    def roles_of(role_ids: Iterable[int]) -> list[Role]:
        """These root roles, each once, in id order."""
        return [ROOT_ROLES[role_id] for role_id in sorted(set(role_ids))]

    def snapshot(self) -> Snapshot:
        """The whole state, as immutable records that later writes leave alone."""
        with self.database.reading() as db:
            last_user_id, last_token_id = self._counters(db)
            return Snapshot(
                users=tuple(self._users(db)),
                accounts=tuple(self._accounts(db)),
                last_user_id=last_user_id,
                last_token_id=last_token_id,
            )

    # Writing

    def restore(self, snapshot: Snapshot) -> None:
        """Replace the whole state; raise ``InconsistentState`` if it is unsound."""
        check_snapshot(snapshot)
        ids = [user.id for user in snapshot.users] + [
            account.id for account in snapshot.accounts
        ]
        tokens = [token for account in snapshot.accounts for token in account.tokens]

        with self.database.writing() as db:
            # Deleting the users deletes their tokens; the session's snapshots,
            # faults and journal stay. Counters restart where the snapshot's
            # were, so a reset mock hands out the same ids every time.
            db.execute("DELETE FROM users WHERE session = ?", (self.session,))
            db.execute(
                "INSERT INTO sessions (name, last_user_id, last_token_id) "
                "VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                "last_user_id = excluded.last_user_id, "
                "last_token_id = excluded.last_token_id",
                (
                    self.session,
                    max([snapshot.last_user_id, *ids]),
                    max([snapshot.last_token_id, *(token.id for token in tokens)]),
                ),
            )
            db.executemany(
                "INSERT INTO users (session, id, username, name) VALUES (?, ?, ?, ?)",
                [(self.session, u.id, u.username, u.name) for u in snapshot.users],
            )
            db.executemany(
                f"INSERT INTO users (session, {_ACCOUNT_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [_account_row(self.session, a) for a in snapshot.accounts],
            )
            db.executemany(
                f"INSERT INTO tokens (session, {_TOKEN_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [_token_row(self.session, token) for token in tokens],
            )

    def create_account(
        self, username: str, name: str, root_role: int
    ) -> ServiceAccount:
        check_root_role(root_role)

        with self.database.writing() as db:
            account = ServiceAccount(
                id=self._next_id(db, "last_user_id"),
                username=username,
                name=name,
                root_role=int(root_role),
                created_at=self.clock(),
            )

            try:
                db.execute(
                    f"INSERT INTO users (session, {_ACCOUNT_COLUMNS}) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    _account_row(self.session, account),
                )
            except sqlite3.IntegrityError:
                raise UsernameTaken(username) from None

            return account

    def update_account(
        self, account_id: str, *, name: str | None, root_role: int | None
    ) -> ServiceAccount:
        if root_role is not None:
            check_root_role(root_role)

        with self.database.writing() as db:
            account = self._account(db, account_id)
            account = replace(
                account,
                name=account.name if name is None else name,
                root_role=account.root_role if root_role is None else int(root_role),
            )
            db.execute(
                "UPDATE users SET name = ?, root_role = ? WHERE session = ? AND id = ?",
                (account.name, account.root_role, self.session, account.id),
            )
            return account

    def delete_account(self, account_id: str) -> None:
        with self.database.writing() as db:
            account = self._account(db, account_id)
            # The foreign key deletes the account's tokens with it.
            db.execute(
                "DELETE FROM users WHERE session = ? AND id = ?",
                (self.session, account.id),
            )

    def create_token(
        self, account_id: str, description: str, expires_at: datetime
    ) -> tuple[Token, str]:
        """Create a token and return it with its secret, which is never kept."""
        secret = new_secret()
        now = self.clock()

        with self.database.writing() as db:
            account = self._account(db, account_id)
            check_new_token(account, description, expires_at, now)
            token = Token(
                id=self._next_id(db, "last_token_id"),
                account_id=account.id,
                description=description,
                secret_hash=hash_secret(secret),
                created_at=now,
                expires_at=expires_at,
            )
            db.execute(
                f"INSERT INTO tokens (session, {_TOKEN_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                _token_row(self.session, token),
            )
            return token, secret

    def delete_token(self, account_id: str, token_id: str) -> None:
        with self.database.writing() as db:
            account = self._account(db, account_id)
            numeric_id = parse_id(token_id)
            token = None if numeric_id is None else account.token(numeric_id)

            if token is None:
                raise TokenNotFound(account.id, token_id)

            db.execute(
                "DELETE FROM tokens WHERE session = ? AND id = ?",
                (self.session, token.id),
            )

    def use_token(self, secret: str) -> ServiceAccount | None:
        """The account a live token belongs to, recording the use; else None."""
        now = self.clock()
        secret_hash = hash_secret(secret)

        with self.database.writing() as db:
            row = db.execute(
                "SELECT account_id, expires_at FROM tokens "
                "WHERE session = ? AND secret_hash = ?",
                (self.session, secret_hash),
            ).fetchone()

            if row is None or parse_instant(row[1]) <= now:
                return None

            db.execute(
                "UPDATE tokens SET seen_at = ? WHERE session = ? AND secret_hash = ?",
                (format_instant(now), self.session, secret_hash),
            )
            return self._account(db, str(row[0]))

    # Queries, inside a transaction the caller holds

    def _accounts(self, db: sqlite3.Connection) -> list[ServiceAccount]:
        tokens: dict[int, list[Token]] = {}

        for row in db.execute(
            f"SELECT {_TOKEN_COLUMNS} FROM tokens WHERE session = ? ORDER BY id",
            (self.session,),
        ):
            tokens.setdefault(row[1], []).append(_token(row))

        return [
            _account(row, tokens.get(row[0], []))
            for row in db.execute(
                f"SELECT {_ACCOUNT_COLUMNS} FROM users "
                "WHERE session = ? AND root_role IS NOT NULL ORDER BY id",
                (self.session,),
            )
        ]

    def _account(self, db: sqlite3.Connection, account_id: str) -> ServiceAccount:
        numeric_id = parse_id(account_id)
        row = (
            None
            if numeric_id is None
            else db.execute(
                f"SELECT {_ACCOUNT_COLUMNS} FROM users "
                "WHERE session = ? AND id = ? AND root_role IS NOT NULL",
                (self.session, numeric_id),
            ).fetchone()
        )

        if row is None:
            raise AccountNotFound(account_id)

        tokens = db.execute(
            f"SELECT {_TOKEN_COLUMNS} FROM tokens "
            "WHERE session = ? AND account_id = ? ORDER BY id",
            (self.session, row[0]),
        )
        return _account(row, [_token(token) for token in tokens])

    def _users(self, db: sqlite3.Connection) -> list[User]:
        return [
            User(*row)
            for row in db.execute(
                "SELECT id, username, name FROM users "
                "WHERE session = ? AND root_role IS NULL ORDER BY id",
                (self.session,),
            )
        ]

    def _counters(self, db: sqlite3.Connection) -> tuple[int, int]:
        row = db.execute(
            "SELECT last_user_id, last_token_id FROM sessions WHERE name = ?",
            (self.session,),
        ).fetchone()
        return (0, 0) if row is None else (row[0], row[1])

    def _next_id(self, db: sqlite3.Connection, counter: str) -> int:
        db.execute(
            "INSERT INTO sessions (name) VALUES (?) ON CONFLICT (name) DO NOTHING",
            (self.session,),
        )
        row = db.execute(
            f"UPDATE sessions SET {counter} = {counter} + 1 WHERE name = ? "
            f"RETURNING {counter}",
            (self.session,),
        ).fetchone()
        next_id: int = row[0]
        return next_id


def check_snapshot(snapshot: Snapshot) -> None:
    """Raise ``InconsistentState`` unless the snapshot keeps every invariant."""
    records: list[User | ServiceAccount] = [*snapshot.users, *snapshot.accounts]
    tokens = [token for account in snapshot.accounts for token in account.tokens]
    _check_unique("user id", [record.id for record in records])
    _check_unique("username", [record.username for record in records])
    _check_unique("token id", [token.id for token in tokens])
    _check_unique("token secret", [token.secret_hash for token in tokens])

    for account in snapshot.accounts:
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


def _check_unique(what: str, values: list[object]) -> None:
    repeated = [value for value, count in Counter(values).items() if count > 1]

    if repeated:
        shown = repr(repeated[0]) if what == "username" else repeated[0]
        noun = "the username" if what == "username" else what
        raise InconsistentState(f"{noun} {shown} is used twice")


def _account_row(session: str, account: ServiceAccount) -> tuple[object, ...]:
    return (
        session,
        account.id,
        account.username,
        account.name,
        account.root_role,
        format_instant(account.created_at),
    )


def _token_row(session: str, token: Token) -> tuple[object, ...]:
    return (
        session,
        token.id,
        token.account_id,
        token.description,
        token.secret_hash,
        format_instant(token.created_at),
        format_instant(token.expires_at),
        None if token.seen_at is None else format_instant(token.seen_at),
    )


def _account(row: tuple[Any, ...], tokens: list[Token]) -> ServiceAccount:
    account_id, username, name, root_role, created_at = row
    return ServiceAccount(
        id=account_id,
        username=username,
        name=name,
        root_role=root_role,
        created_at=parse_instant(created_at),
        tokens=tuple(tokens),
    )


def _token(row: tuple[Any, ...]) -> Token:
    token_id, account_id, description, secret_hash, created, expires, seen = row
    return Token(
        id=token_id,
        account_id=account_id,
        description=description,
        secret_hash=secret_hash,
        created_at=parse_instant(created),
        expires_at=parse_instant(expires),
        seen_at=None if seen is None else parse_instant(seen),
    )
