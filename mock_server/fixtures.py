"""Fixtures: whole states of the mock written as JSON, read and written here.

The format (schema ``Fixture`` in ``openapi/mock-control.yaml``, the control
API that loads and dumps fixtures) uses the API's own field names::

    {
      "users": [{"id": 1, "username": "admin", "name": "Admin"}],
      "serviceAccounts": [
        {"id": 2, "username": "ci", "name": "CI", "rootRole": 1,
         "createdAt": "2026-01-12T09:30:00.000Z",
         "tokens": [{"id": 1, "description": "GitHub Actions",
                     "secret": "user:...", "expiresAt": "2030-01-01T00:00:00Z",
                     "createdAt": "...", "seenAt": null}]}
      ],
      "lastIds": {"user": 4, "token": 5}
    }

Ids, names, timestamps and secrets may be left out: missing ids follow the
highest one given, missing timestamps are the time of loading, and a token
without a ``secret`` gets a random one nobody knows. A dump never holds a
secret; it keeps each token's ``secretHash`` instead, so a dumped token still
authenticates once loaded again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30WriteValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from mock_server.description import CONTROL_DESCRIPTION_PATH, load_description
from mock_server.errors import MockServerError
from mock_server.models import (
    ServiceAccount,
    Snapshot,
    Token,
    User,
    hash_secret,
    new_secret,
)
from mock_server.timestamps import format_instant, parse_instant

_SEEDS = resources.files("mock_server") / "seeds"
_CONTROL = "urn:unleash-mock:control"
_VALIDATOR = OAS30WriteValidator(
    {"$ref": f"{_CONTROL}#/components/schemas/Fixture"},
    registry=Registry().with_resource(
        _CONTROL,
        Resource.from_contents(
            load_description(CONTROL_DESCRIPTION_PATH),
            default_specification=DRAFT4,
        ),
    ),
    format_checker=OAS30WriteValidator.FORMAT_CHECKER,
)


class InvalidFixture(MockServerError):
    """A fixture that cannot be loaded; ``location`` points into the document."""

    def __init__(self, source: str, location: str, problem: str) -> None:
        super().__init__(f"{source}: at {location or '/'}: {problem}")
        self.source = source
        self.location = location
        self.problem = problem


def default_seed() -> dict[str, Any]:
    """The fixture the mock starts from unless told otherwise."""
    document: dict[str, Any] = json.loads((_SEEDS / "default.json").read_text())
    return document


def read_fixture_file(path: Path) -> dict[str, Any]:
    """Read a fixture file, failing with the file's name on any problem."""
    try:
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidFixture(str(path), "", error.strerror or str(error)) from None
    except ValueError as error:
        raise InvalidFixture(str(path), "", f"not JSON: {error}") from None

    return document


def snapshot_from_fixture(
    document: Any, now: datetime, source: str = "fixture"
) -> Snapshot:
    """Turn a fixture document into a snapshot, checking it against the schema."""
    errors = sorted(_VALIDATOR.iter_errors(document), key=lambda e: list(e.path))

    if errors:
        first = errors[0]
        raise InvalidFixture(source, _pointer(first.absolute_path), _problem(first))

    users = document.get("users", [])
    accounts = document.get("serviceAccounts", [])
    tokens = [token for account in accounts for token in account.get("tokens", [])]
    user_ids = _IdFiller(record.get("id") for record in [*users, *accounts])
    token_ids = _IdFiller(token.get("id") for token in tokens)
    last_ids = document.get("lastIds", {})

    return Snapshot(
        users=tuple(
            User(user_ids.fill(user.get("id")), user["username"], user.get("name", ""))
            for user in users
        ),
        accounts=tuple(
            _account(account, index, user_ids, token_ids, now, source)
            for index, account in enumerate(accounts)
        ),
        last_user_id=last_ids.get("user", 0),
        last_token_id=last_ids.get("token", 0),
    )


def fixture_from_snapshot(snapshot: Snapshot) -> dict[str, Any]:
    """Write a snapshot as a fixture document, with token secrets left out."""
    return {
        "users": [
            {"id": user.id, "username": user.username, "name": user.name}
            for user in snapshot.users
        ],
        "serviceAccounts": [
            {
                "id": account.id,
                "username": account.username,
                "name": account.name,
                "rootRole": account.root_role,
                "createdAt": format_instant(account.created_at),
                "tokens": [_token_fixture(token) for token in account.tokens],
            }
            for account in snapshot.accounts
        ],
        "lastIds": {"user": snapshot.last_user_id, "token": snapshot.last_token_id},
    }


class _IdFiller:
    """Gives records without an id the next one after every id the file names."""

    def __init__(self, given: Iterable[int | None]) -> None:
        self.last = max((value for value in given if value is not None), default=0)

    def fill(self, value: int | None) -> int:
        if value is not None:
            return value

        self.last += 1
        return self.last


def _account(
    record: Mapping[str, Any],
    index: int,
    user_ids: _IdFiller,
    token_ids: _IdFiller,
    now: datetime,
    source: str,
) -> ServiceAccount:
    account_id = user_ids.fill(record.get("id"))
    location = f"/serviceAccounts/{index}"

    def instant(record: Mapping[str, Any], key: str, where: str) -> datetime | None:
        if record.get(key) is None:
            return None

        try:
            return parse_instant(record[key])
        except ValueError as error:
            raise InvalidFixture(source, f"{where}/{key}", str(error)) from None

    tokens = tuple(
        Token(
            id=token_ids.fill(token.get("id")),
            account_id=account_id,
            description=token["description"],
            secret_hash=token.get("secretHash")
            or hash_secret(token.get("secret") or new_secret()),
            created_at=instant(token, "createdAt", where) or now,
            expires_at=instant(token, "expiresAt", where) or now,
            seen_at=instant(token, "seenAt", where),
        )
        for where, token in (
            (f"{location}/tokens/{i}", token)
            for i, token in enumerate(record.get("tokens", []))
        )
    )

    return ServiceAccount(
        id=account_id,
        username=record["username"],
        name=record.get("name", ""),
        root_role=record["rootRole"],
        created_at=instant(record, "createdAt", location) or now,
        tokens=tokens,
    )


def _token_fixture(token: Token) -> dict[str, Any]:
    return {
        "id": token.id,
        "description": token.description,
        "secretHash": token.secret_hash,
        "createdAt": format_instant(token.created_at),
        "expiresAt": format_instant(token.expires_at),
        "seenAt": None if token.seen_at is None else format_instant(token.seen_at),
    }


def _problem(error: ValidationError) -> str:
    # The schema's only `not` forbids a token giving both ways to know its
    # secret; jsonschema's own message would echo the secret back.
    if error.validator == "not":
        return "a token gives either 'secret' or 'secretHash', not both"

    return error.message


def _pointer(path: Iterable[Any]) -> str:
    return "".join(f"/{part}" for part in path)
