"""Content types: JSON with parameters is JSON, anything else is refused."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping

from conformance.client import Exchange
from conformance.operations import ACCOUNTS
from conformance.scenarios.world import World, created_id, status_is

CHARSET_JSON = "application/json; charset=utf-8"


def non_json_refused(world: World) -> None:
    account_id = created_id(world.create_account())

    for exchange in _bodies_as(world, "text/plain", account_id):
        world.judge.expect(
            "non_json_refused",
            exchange,
            status_is(415),
            title="Body that is not JSON accepted",
            expected="415 ContentTypeError for Content-Type: text/plain",
        )


def json_charset_accepted(world: World) -> None:
    account_id = created_id(world.create_account())

    for exchange in _bodies_as(world, CHARSET_JSON, account_id):
        world.judge.expect(
            "json_charset_accepted",
            exchange,
            lambda seen: 200 <= seen.status < 300,
            title="JSON with a charset parameter refused",
            expected=f"2xx for Content-Type: {CHARSET_JSON}",
            replay=functools.partial(_resent_fresh, world, exchange),
        )


def _bodies_as(
    world: World, content_type: str, account_id: int | None
) -> list[Exchange]:
    """A valid create, update and token create, each sent with ``content_type``."""
    headers = {"Content-Type": content_type}
    create = {
        "username": world.name("typed"),
        "name": "Typed",
        "rootRole": world.viewer,
    }
    exchanges = [
        world.client.send("POST", ACCOUNTS, raw=_encoded(create), headers=headers)
    ]

    if account_id is not None:
        account = f"{ACCOUNTS}/{account_id}"
        token = {
            "description": world.name("typed"),
            "expiresAt": "2099-01-01T00:00:00Z",
        }
        exchanges += [
            world.client.send(
                "PUT", account, raw=_encoded({"name": "Typed"}), headers=headers
            ),
            world.client.send(
                "POST", f"{account}/token", raw=_encoded(token), headers=headers
            ),
        ]

    return exchanges


def _encoded(body: Mapping[str, object]) -> bytes:
    return json.dumps(body).encode()


def _resent_fresh(world: World, sent: Exchange) -> Exchange:
    """The same request with fresh names, so that a create cannot clash."""
    body = sent.json_request()

    for key in ("username", "description"):
        if key in body:
            body[key] = world.name("typed")

    return world.client.send(
        sent.method, sent.path, raw=_encoded(body), headers=sent.request_headers
    )
