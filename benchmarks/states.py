"""States to benchmark with, written as seed fixtures the mock loads at start."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mock_server.fixtures import default_seed

CREATED = "2026-01-12T09:30:00.000Z"
EXPIRES = "2030-01-12T09:30:00.000Z"


def many_accounts(accounts: int, tokens_each: int) -> dict[str, Any]:
    """The default seed plus ``accounts`` accounts holding ``tokens_each`` tokens.

    Tokens carry a known ``secretHash`` rather than a secret, so loading them
    costs no hashing and no secret sits in the file.
    """
    seed = default_seed()
    first_id = 1 + max(
        record["id"] for record in [*seed["users"], *seed["serviceAccounts"]]
    )
    first_token = 1 + max(
        token["id"]
        for account in seed["serviceAccounts"]
        for token in account["tokens"]
    )
    added = [
        {
            "id": first_id + number,
            "username": f"bench-account-{number}",
            "name": f"Benchmark account {number}",
            "rootRole": 1 + number % 3,
            "createdAt": CREATED,
            "tokens": [
                {
                    "id": first_token + number * tokens_each + index,
                    "description": f"token {index}",
                    "secretHash": f"{number:032x}{index:032x}",
                    "createdAt": CREATED,
                    "expiresAt": EXPIRES,
                    "seenAt": None,
                }
                for index in range(tokens_each)
            ],
        }
        for number in range(accounts)
    ]
    return {**seed, "serviceAccounts": [*seed["serviceAccounts"], *added]}


def write_fixture(document: dict[str, Any], folder: Path, name: str) -> Path:
    path = folder / f"{name}.json"
    path.write_text(json.dumps(document))
    return path
