"""Tokens of a service account: shown once, unique descriptions, gone on delete."""

from __future__ import annotations

from conformance.client import Exchange
from conformance.operations import ACCOUNTS
from conformance.scenarios.world import World, created_id, status_is


def token_lifecycle(world: World) -> None:
    """Create, list and delete a token; the response checks judge each answer.

    ``secret_only_on_create`` and ``location_header`` run on every response,
    so this walk makes sure each of them sees a token create and both lists.
    """
    account_id = created_id(world.create_account())

    if account_id is None:
        return

    token_id = created_id(world.create_token(account_id))
    world.client.send("GET", f"{ACCOUNTS}/{account_id}/token")
    world.accounts()

    if token_id is None:
        return

    world.judge.expect(
        "delete_with_json_headers",
        # The client sends JSON's Accept and Content-Type with no body, as
        # Unleash's web UI does on every DELETE.
        world.client.send("DELETE", f"{ACCOUNTS}/{account_id}/token/{token_id}"),
        status_is(200),
        title="Delete with JSON headers and no body refused",
        expected="200 for a DELETE with Content-Type: application/json and no body",
        replay=lambda: _delete_fresh_token(world, account_id),
    )


def duplicate_token_description_refused(world: World) -> None:
    account_id = created_id(world.create_account())

    if account_id is None:
        return

    world.judge.expect(
        "duplicate_token_description_refused",
        _created_twice(world, account_id),
        status_is(409),
        title="Duplicate token description accepted",
        expected="409 for a second token with a taken description on one account",
        replay=lambda: _created_twice(world, account_id),
    )


def _created_twice(world: World, account_id: int) -> Exchange:
    """Create two tokens with one new description; the second answer."""
    description = world.name("same-description")
    world.create_token(account_id, description=description)
    return world.create_token(account_id, description=description)


def _delete_fresh_token(world: World, account_id: int) -> Exchange:
    token_id = created_id(world.create_token(account_id))
    return world.client.send("DELETE", f"{ACCOUNTS}/{account_id}/token/{token_id}")
