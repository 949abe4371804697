"""Deleting what a run created, and what earlier runs left behind.

Teardown deletes the tokens and accounts the ledger still holds alive, then
looks for accounts carrying the run's prefix whose creation it never saw
answered (a timeout, a crash of the server mid-response). ``sweep`` does the
same by prefix alone, for runs that could not clean up after themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance.client import JSON, ApiClient, ServerUnreachable
from conformance.ledger import Ledger
from conformance.operations import ACCOUNTS
from conformance.settings import RUN_PREFIX


@dataclass
class Cleanup:
    deleted: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)


def teardown(client: ApiClient, ledger: Ledger, prefix: str) -> Cleanup:
    """Delete everything of this run's; say what could not be deleted."""
    outcome = Cleanup()
    accounts, tokens = ledger.snapshot()

    for token_id, account_id in tokens.items():
        path = f"{ACCOUNTS}/{account_id}/token/{token_id}"
        _delete(
            client, path, f"token {token_id} of service account {account_id}", outcome
        )
        ledger.token_deleted(token_id)

    for account_id in accounts:
        _delete(
            client, f"{ACCOUNTS}/{account_id}", f"service account {account_id}", outcome
        )
        ledger.account_deleted(account_id)

    swept = sweep(client, prefix)
    outcome.deleted += swept.deleted
    outcome.left += swept.left
    return outcome


def sweep(client: ApiClient, prefix: str = RUN_PREFIX) -> Cleanup:
    """Delete every service account whose username starts with ``prefix``."""
    outcome = Cleanup()

    try:
        listing = client.send("GET", ACCOUNTS, checked=False)
    except ServerUnreachable as error:
        outcome.left.append(f"accounts named {prefix}* ({error.reason})")
        return outcome

    body = listing.json
    accounts = body.get("serviceAccounts") if isinstance(body, dict) else None

    if listing.status != 200 or not isinstance(accounts, list):
        outcome.left.append(
            f"accounts named {prefix}* (list answered {listing.status})"
        )
        return outcome

    for account in accounts:
        username = account.get("username") if isinstance(account, dict) else None

        if isinstance(username, str) and username.startswith(prefix):
            what = f"service account {account.get('id')} ({username})"
            _delete(client, f"{ACCOUNTS}/{account.get('id')}", what, outcome)

    return outcome


def _delete(client: ApiClient, path: str, what: str, outcome: Cleanup) -> None:
    try:
        # No Content-Type: a server that refuses the web UI's DELETE headers
        # (a check reports that) must still let the run clean up.
        answer = client.send(
            "DELETE", path, headers={"Accept": JSON}, checked=False, ui_headers=False
        )
    except ServerUnreachable as error:
        outcome.left.append(f"{what} ({error.reason})")
        return

    # Gone already counts as cleaned up: a check may have deleted it.
    if 200 <= answer.status < 300 or answer.status == 404:
        outcome.deleted.append(what)
    else:
        outcome.left.append(f"{what} (delete answered {answer.status})")
