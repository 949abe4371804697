"""Faults of behaviour: the mock's internals patched for one test.

Each function puts one fault into a mock app; its docstring says how. These
faults keep every response within the contract, so the mock's own contract
check lets them through, as it would let a real server's through.
"""

from __future__ import annotations

import itertools
import sqlite3
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
from flask import Flask, request

from mock_server import auth, handlers, representations, rules
from mock_server.auth import Authenticator, Principal
from mock_server.contract import JSON, media_type
from mock_server.gate import RequestCall
from mock_server.handlers import Reply
from mock_server.models import ROOT_ROLES, ServiceAccount, Token, hash_secret
from mock_server.pipeline import Endpoint
from mock_server.refusals import BadData, UnsupportedContentType
from mock_server.store import Store


def duplicate_username_accepted(_: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store keeps a duplicate under a suffixed name and answers 201 as asked."""
    original = Store.create_account
    suffixes = itertools.count(1)

    def create_account(
        self: Store, username: str, name: str, root_role: int
    ) -> ServiceAccount:
        try:
            return original(self, username, name, root_role)
        except rules.UsernameTaken:
            stored = original(self, f"{username}-{next(suffixes)}", name, root_role)
            return replace(stored, username=username)

    monkeypatch.setattr(Store, "create_account", create_account)


def duplicate_token_description_accepted(
    _: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The token rules look past tokens that share the new token's description."""

    def check_new_token(
        account: ServiceAccount, description: str, expires_at: datetime, now: datetime
    ) -> None:
        others = tuple(t for t in account.tokens if t.description != description)
        rules.check_new_token(
            replace(account, tokens=others), description, expires_at, now
        )

    monkeypatch.setattr("mock_server.store.check_new_token", check_new_token)


def secret_in_lists(_: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every token body, in lists too, carries a `secret` (made from its hash)."""
    original = representations.token_json

    def token_json(token: Token, secret: str | None = None) -> dict[str, Any]:
        return original(token, secret or "user:" + token.secret_hash[:56])

    monkeypatch.setattr(representations, "token_json", token_json)
    monkeypatch.setattr(handlers, "token_json", token_json)


def tokens_outlive_account(_: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Deleting an account leaves its tokens able to log in with its role."""
    original = Store.delete_account
    revoked: dict[str, int] = {}

    def delete_account(self: Store, account_id: str) -> None:
        account = self.account(account_id)
        revoked.update({t.secret_hash: account.root_role for t in account.tokens})
        original(self, account_id)

    monkeypatch.setattr(Store, "delete_account", delete_account)
    _still_accept(monkeypatch, revoked)


def deleted_token_accepted(_: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Deleting a token hides it from lists but leaves it able to log in."""
    original = Store.delete_token
    revoked: dict[str, int] = {}

    def delete_token(self: Store, account_id: str, token_id: str) -> None:
        account = self.account(account_id)
        hashes = [t.secret_hash for t in account.tokens if str(t.id) == token_id]
        revoked.update(dict.fromkeys(hashes, account.root_role))
        original(self, account_id, token_id)

    monkeypatch.setattr(Store, "delete_token", delete_token)
    _still_accept(monkeypatch, revoked)


def expired_token_accepted(_: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The token lookup never compares the expiry with the clock."""
    original = Store.use_token

    def use_token(self: Store, secret: str) -> ServiceAccount | None:
        live = original(self, secret)

        if live is not None:
            return live

        with self.database.reading() as db:
            row = db.execute(
                "SELECT account_id FROM tokens WHERE session = ? AND secret_hash = ?",
                (self.session, hash_secret(secret)),
            ).fetchone()

        return None if row is None else self.account(str(row[0]))

    monkeypatch.setattr(Store, "use_token", use_token)


def ids_reused(_: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Account ids are MAX(id) + 1, so a deleted newest id is handed out again."""
    original = Store._next_id

    def next_id(self: Store, db: sqlite3.Connection, counter: str) -> int:
        if counter != "last_user_id":
            return original(self, db, counter)

        row = db.execute(
            "SELECT COALESCE(MAX(id), 0) + 1 FROM users WHERE session = ?",
            (self.session,),
        ).fetchone()
        reused: int = row[0]
        return reused

    monkeypatch.setattr(Store, "_next_id", next_id)


def update_not_persisted(_: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """An update answers with the new values but never writes them."""

    def update_account(
        self: Store, account_id: str, *, name: str | None, root_role: int | None
    ) -> ServiceAccount:
        account = self.account(account_id)
        return replace(
            account,
            name=account.name if name is None else name,
            root_role=account.root_role if root_role is None else root_role,
        )

    monkeypatch.setattr(Store, "update_account", update_account)


def viewer_may_manage(_: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every root role grants the permission to manage service accounts."""
    granting = {
        key: replace(role, grants_admin=True) for key, role in ROOT_ROLES.items()
    }
    monkeypatch.setattr(auth, "ROOT_ROLES", granting)


def validation_before_auth(_: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pipeline judges content type and body before it looks at credentials."""
    original = Endpoint._answer

    def answer(
        self: Endpoint, store: Store, call: RequestCall, path_arguments: dict[str, str]
    ) -> Reply:
        content_type = request.headers.get("Content-Type")
        findings = self.gate.contract.check_request(call.for_openapi_core)

        if self.operation.has_body and media_type(content_type) != JSON:
            raise UnsupportedContentType(content_type)

        if self.operation.has_body and findings.bad_data:
            raise BadData(findings.bad_data)

        return original(self, store, call, path_arguments)

    monkeypatch.setattr(Endpoint, "_answer", answer)


def _still_accept(monkeypatch: pytest.MonkeyPatch, revoked: dict[str, int]) -> None:
    """Let revoked secrets log in with the root role their account had."""
    original = Authenticator.authenticate

    def authenticate(
        self: Authenticator, header: str | None, store: Store
    ) -> Principal:
        token = (header or "").strip().removeprefix("Bearer ").strip()
        role = revoked.get(hash_secret(token))

        if role is None:
            return original(self, header, store)

        if not ROOT_ROLES[role].grants_admin:
            raise auth.PermissionDenied()

        return Principal(account_id=None)

    monkeypatch.setattr(Authenticator, "authenticate", authenticate)
