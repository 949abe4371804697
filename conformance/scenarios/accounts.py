"""The life of a service account: created, listed, updated, deleted, never reused."""

from __future__ import annotations

from collections.abc import Mapping

from conformance.client import Exchange
from conformance.findings import Severity
from conformance.operations import ACCOUNTS
from conformance.scenarios.world import (
    World,
    created_id,
    created_secret,
    listed_account,
    status_is,
)


def created_account_listed(world: World) -> None:
    sent = {"username": world.name("listed"), "name": "Listed account"}
    created = world.create_account(**sent)
    account_id = created_id(created)

    world.judge.expect(
        "created_account_listed",
        created,
        lambda seen: (
            seen.status == 201
            and _echoes(seen.json, {**sent, "rootRole": world.viewer})
        ),
        title="Create does not answer 201 with the values sent",
        expected=f"201 with username, name and rootRole as sent: {sent}",
        replay=lambda: world.create_account(name=sent["name"]),
    )

    if account_id is None:
        return

    world.judge.expect(
        "created_account_listed",
        world.accounts(),
        lambda seen: _echoes(listed_account(seen, account_id), sent),
        title="Created account missing from the list",
        expected=f"account {account_id} listed with {sent}",
    )


def update_persists(world: World) -> None:
    account_id = created_id(world.create_account())

    if account_id is None:
        return

    username = world.name("kept")
    change = {"name": "Renamed by conformance", "rootRole": world.roles["Editor"]}
    # The web UI sends the username too; the server keeps the original.
    updated = world.client.send(
        "PUT", f"{ACCOUNTS}/{account_id}", body={**change, "username": username}
    )

    world.judge.expect(
        "update_persists",
        updated,
        lambda seen: seen.status == 200 and _echoes(seen.json, change),
        title="Update does not answer with the new values",
        expected=f"200 with {change}",
    )
    world.judge.expect(
        "update_persists",
        world.accounts(),
        lambda seen: (
            _echoes(listed_account(seen, account_id), change)
            and (listed_account(seen, account_id) or {}).get("username") != username
        ),
        title="Update not persisted",
        expected=f"account {account_id} listed with {change}, its username unchanged",
    )


def delete_cascades(world: World) -> None:
    account_id = created_id(world.create_account())

    if account_id is None:
        return

    token = world.create_token(account_id)
    token_id = created_id(token)
    secret = created_secret(token)
    account = f"{ACCOUNTS}/{account_id}"

    world.judge.expect(
        "delete_cascades",
        world.client.send("DELETE", account),
        lambda seen: seen.status == 200 and not seen.text.strip(),
        title="Delete does not answer 200 with no body",
        expected="200 with an empty body",
        replay=lambda: _delete_fresh(world),
    )

    after = [
        world.client.send("GET", f"{account}/token"),
        world.client.send("PUT", account, body={"name": "Gone"}),
        world.client.send("DELETE", account),
    ]

    if token_id is not None:
        after.append(world.client.send("DELETE", f"{account}/token/{token_id}"))

    for exchange in after:
        world.judge.expect(
            "delete_cascades",
            exchange,
            status_is(404),
            title="Deleted account still answers",
            expected=f"404 for {exchange.method} on deleted account {account_id}",
        )

    world.judge.expect(
        "delete_cascades",
        world.accounts(),
        lambda seen: listed_account(seen, account_id) is None,
        title="Deleted account still listed",
        expected=f"account {account_id} absent from the list",
        operation="getServiceAccounts",
    )

    if secret is not None:
        world.judge.expect(
            "delete_cascades",
            world.client.send("GET", ACCOUNTS, token=secret),
            status_is(401),
            title="Token of a deleted account still authenticates",
            expected="401",
        )


def ids_not_reused(world: World) -> None:
    first = created_id(world.create_account())

    if first is None:
        return

    world.client.send("DELETE", f"{ACCOUNTS}/{first}")
    # Taken before the create: the ledger forgets an id's deletion as soon
    # as the server hands that id out again.
    handed_out = world.ledger.known_accounts()

    world.judge.expect(
        "ids_not_reused",
        world.create_account(),
        lambda seen: created_id(seen) not in (None, *handed_out),
        title="Id of a deleted account handed out again",
        expected=f"a new id, none of those handed out before: {sorted(handed_out)}",
        describe=lambda seen: f"{seen.status} with id {created_id(seen)}",
        replay=lambda: _recreate(world, handed_out),
    )


def duplicate_username_refused(world: World) -> None:
    again = _created_twice(world)

    if again.status == 400:
        world.judge.expect(
            "duplicate_username_refused",
            again,
            status_is(409),
            title="Duplicate username answered 400, not the documented 409",
            expected="409 NameExistsError",
            severity=Severity.WARNING,
        )
        return

    world.judge.expect(
        "duplicate_username_refused",
        again,
        status_is(409),
        title="Duplicate username accepted",
        expected="409 for a second account with a taken username",
        replay=lambda: _created_twice(world),
    )


def _created_twice(world: World) -> Exchange:
    """Create two accounts with one new username; the second answer."""
    username = world.name("twice")
    world.create_account(username=username)
    return world.create_account(username=username)


def _echoes(body: object, sent: Mapping[str, object]) -> bool:
    return isinstance(body, dict) and all(body.get(k) == v for k, v in sent.items())


def _delete_fresh(world: World) -> Exchange:
    account_id = created_id(world.create_account())
    return world.client.send("DELETE", f"{ACCOUNTS}/{account_id}")


def _recreate(world: World, handed_out: set[int]) -> Exchange:
    """Delete the newest account of ours, then create one more."""
    newest = world.ledger.any_account()

    if newest is not None and newest not in world.ledger.deleted_accounts:
        world.client.send("DELETE", f"{ACCOUNTS}/{newest}")

    handed_out |= world.ledger.known_accounts()
    return world.create_account()


__all__ = [
    "created_account_listed",
    "delete_cascades",
    "duplicate_username_refused",
    "ids_not_reused",
    "update_persists",
]
