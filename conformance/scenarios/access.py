"""Who may call: credentials missing, unknown, deleted, expired or too weak.

Unleash checks credentials before anything else (401), then permissions
(403), and only then the content type and the body, so an anonymous caller
learns nothing about what a valid request would look like.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from conformance.client import Exchange
from conformance.operations import ACCOUNTS
from conformance.scenarios.world import World, created_id, created_secret, status_is

# A token that expires this soon is checked at the end of the run, by when it
# has expired; the margin covers a server clock a little behind ours.
EXPIRY = timedelta(seconds=3)
EXPIRY_MARGIN = 1.5


def bearer_and_raw_accepted(world: World) -> None:
    token = world.settings.token.removeprefix("Bearer ").strip()

    for credential in (token, f"Bearer {token}"):
        world.judge.expect(
            "bearer_and_raw_accepted",
            world.client.send("GET", ACCOUNTS, token=credential),
            status_is(200),
            title="Declared Authorization form refused",
            expected="200 for both `Authorization: <token>` and `Bearer <token>`",
        )


def missing_credentials_rejected(world: World) -> None:
    for exchange in _every_operation(world, token=None):
        world.judge.expect(
            "missing_credentials_rejected",
            exchange,
            status_is(401),
            title="Request without credentials not refused with 401",
            expected="401 AuthenticationRequired",
        )


def unknown_token_rejected(world: World) -> None:
    # Shaped like a real token, so that only the lookup can refuse it.
    unknown = "user:" + secrets.token_hex(28)

    for exchange in _every_operation(world, token=unknown):
        world.judge.expect(
            "unknown_token_rejected",
            exchange,
            status_is(401),
            title="Unknown token not refused with 401",
            expected="401 UnauthorizedError",
        )


def auth_before_validation(world: World) -> None:
    for exchange in (
        world.client.send("POST", ACCOUNTS, body={"username": 1}, token=None),
        world.client.send(
            "POST",
            ACCOUNTS,
            raw=b"x",
            headers={"Content-Type": "text/plain"},
            token=None,
        ),
    ):
        world.judge.expect(
            "auth_before_validation",
            exchange,
            status_is(401),
            title="Body judged before the caller was authenticated",
            expected="401 before any 400 or 415",
        )


def viewer_token_forbidden(world: World) -> None:
    secret = _viewer_secret(world)

    if secret is None:
        return

    for exchange in (
        world.client.send("GET", ACCOUNTS, token=secret),
        world.create_account(token=secret),
    ):
        world.judge.expect(
            "viewer_token_forbidden",
            exchange,
            status_is(403),
            title="Viewer service account's token not refused with 403",
            expected="403 PermissionError",
        )


def deleted_token_rejected(world: World) -> None:
    account_id = created_id(world.create_account())

    if account_id is None:
        return

    token = world.create_token(account_id)
    token_id, secret = created_id(token), created_secret(token)

    if token_id is None or secret is None:
        return

    world.client.send("DELETE", f"{ACCOUNTS}/{account_id}/token/{token_id}")

    world.judge.expect(
        "deleted_token_rejected",
        world.client.send("GET", ACCOUNTS, token=secret),
        status_is(401),
        title="Deleted token still authenticates",
        expected="401 UnauthorizedError",
    )


@dataclass
class ExpiringToken:
    """A token made at the start of a run and tried once it has expired."""

    secret: str
    expires_at: float


def expiring_token(world: World) -> ExpiringToken | None:
    account_id = created_id(world.create_account())

    if account_id is None:
        return None

    token = world.create_token(account_id, expires_in=EXPIRY)
    secret = created_secret(token)

    if secret is None:
        return None

    return ExpiringToken(secret, time.monotonic() + EXPIRY.total_seconds())


def expired_token_rejected(world: World, token: ExpiringToken) -> None:
    wait = token.expires_at + EXPIRY_MARGIN - time.monotonic()

    if wait > 0:
        time.sleep(wait)

    world.judge.expect(
        "expired_token_rejected",
        world.client.send("GET", ACCOUNTS, token=token.secret),
        status_is(401),
        title="Expired token still authenticates",
        expected="401 UnauthorizedError",
    )


def _every_operation(world: World, *, token: str | None) -> list[Exchange]:
    """One valid request to each operation, aimed at records of this run."""
    account_id = created_id(world.create_account())

    if account_id is None:
        return [world.client.send("GET", ACCOUNTS, token=token)]

    token_id = created_id(world.create_token(account_id))
    account = f"{ACCOUNTS}/{account_id}"
    send = world.client.send
    exchanges = [
        send("GET", ACCOUNTS, token=token),
        send(
            "POST",
            ACCOUNTS,
            body={
                "username": world.name("anon"),
                "name": "x",
                "rootRole": world.viewer,
            },
            token=token,
        ),
        send("PUT", account, body={"name": "Renamed"}, token=token),
        send("GET", f"{account}/token", token=token),
        send(
            "POST",
            f"{account}/token",
            body={
                "description": world.name("anon"),
                "expiresAt": "2099-01-01T00:00:00Z",
            },
            token=token,
        ),
    ]

    if token_id is not None:
        exchanges.append(send("DELETE", f"{account}/token/{token_id}", token=token))

    exchanges.append(send("DELETE", account, token=token))
    return exchanges


def _viewer_secret(world: World) -> str | None:
    account_id = created_id(world.create_account("Viewer"))
    return (
        None if account_id is None else created_secret(world.create_token(account_id))
    )
