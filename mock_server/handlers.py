"""One handler per operationId of the description.

A handler sees a request that has passed authentication and validation, so it
reads the body without checking its shape, and answers with a ``Reply``. The
business rules it relies on raise ``ApiError`` from the store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mock_server.errors import ApiError, ErrorKind, echoed
from mock_server.representations import (
    account_json,
    listed_accounts,
    role_json,
    token_json,
)
from mock_server.store import Store
from mock_server.timestamps import parse_instant


@dataclass(frozen=True, slots=True)
class Call:
    """What a handler may use: the state, the path arguments and the body."""

    store: Store
    path: Mapping[str, str]
    body: Any
    # Absolute URL of a path below the API's base, for `location` headers.
    url_for: Callable[[str], str]


@dataclass(frozen=True, slots=True)
class Reply:
    """A successful answer; a body of None means an empty response.

    ``kept`` says the body is kept and may be sent again as the very same
    object; nobody changes a body once a handler has returned it.
    """

    status: int
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    kept: bool = False


Handler = Callable[[Call], Reply]
HANDLERS: dict[str, Handler] = {}

ACCOUNTS = "/api/admin/service-account"


def handles(operation_id: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[operation_id] = handler
        return handler

    return register


@handles("getServiceAccounts")
def list_accounts(call: Call) -> Reply:
    store = call.store
    body = store.lists.get(store.session, store.generation())

    if body is not None:
        return Reply(200, body, kept=True)

    listing = store.listing()
    roles = Store.roles_of(role for _, _, _, role, _ in listing.accounts)
    body = {
        "serviceAccounts": listed_accounts(listing.accounts, listing.tokens),
        "rootRoles": [role_json(role) for role in roles],
    }
    kept = store.lists.keep(store.session, listing.generation, body)
    return Reply(200, body, kept=kept)


@handles("createServiceAccount")
def create_account(call: Call) -> Reply:
    account = call.store.create_account(
        call.body["username"], call.body["name"], call.body["rootRole"]
    )
    return Reply(
        201,
        account_json(account),
        {"location": call.url_for(f"{ACCOUNTS}/{account.id}")},
    )


@handles("updateServiceAccount")
def update_account(call: Call) -> Reply:
    # Only name and root role change; the web UI also sends `username`, which
    # Unleash ignores, as it does any other key.
    account = call.store.update_account(
        call.path["id"],
        name=call.body.get("name"),
        root_role=call.body.get("rootRole"),
    )
    return Reply(200, account_json(account))


@handles("deleteServiceAccount")
def delete_account(call: Call) -> Reply:
    call.store.delete_account(call.path["id"])
    return Reply(200)


@handles("getServiceAccountTokens")
def list_tokens(call: Call) -> Reply:
    account = call.store.account(call.path["id"])
    return Reply(200, {"pats": [token_json(token) for token in account.tokens]})


@handles("createServiceAccountToken")
def create_token(call: Call) -> Reply:
    try:
        expires_at = parse_instant(call.body["expiresAt"])
    except ValueError as error:
        raise ApiError(
            ErrorKind.BAD_DATA,
            "The expiry date names no instant the server can store.",
            details=[{"path": "/body/expiresAt", "message": echoed(str(error))}],
        ) from None

    token, secret = call.store.create_token(
        call.path["id"], call.body["description"], expires_at
    )
    return Reply(
        201,
        token_json(token, secret),
        {"location": call.url_for(f"{ACCOUNTS}/{token.account_id}/token/{token.id}")},
    )


@handles("deleteServiceAccountToken")
def delete_token(call: Call) -> Reply:
    call.store.delete_token(call.path["id"], call.path["tokenId"])
    return Reply(200)
