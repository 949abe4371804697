"""Deleting what a run created, and what earlier runs left behind.

Teardown deletes the tokens and accounts the ledger still holds alive, then
looks for accounts carrying the run's prefix whose creation it never saw
answered (a timeout, a crash of the server mid-response). ``sweep`` does the
same by prefix alone, for runs that could not clean up after themselves.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from conformance.client import JSON, ApiClient, ServerUnreachable
from conformance.ledger import Ledger
from conformance.operations import ACCOUNTS
from conformance.settings import RUN_ID_PATTERN, RUN_PREFIX

_SPENT = "the time budget was spent"


@dataclass
class Cleanup:
    deleted: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)


def teardown(
    client: ApiClient, ledger: Ledger, prefix: str, deadline: float | None = None
) -> Cleanup:
    """Delete everything of this run's; say what could not be deleted.

    Tokens go first, so that none outlives a server that fails to cascade; a
    token whose delete failed still counts as gone once its account is. Past
    ``deadline`` nothing more is sent, and what remains is reported as left.
    """
    outcome = Cleanup()
    accounts, tokens = ledger.snapshot()
    stuck: dict[int, list[str]] = {}

    for token_id, account_id in tokens.items():
        what = f"token {token_id} of service account {account_id}"
        path = f"{ACCOUNTS}/{account_id}/token/{token_id}"
        tokens_left = Cleanup()
        _delete(client, path, what, tokens_left, deadline)
        outcome.deleted += tokens_left.deleted
        stuck.setdefault(account_id, []).extend(tokens_left.left)
        ledger.token_deleted(token_id)

    for account_id in accounts:
        what = f"service account {account_id}"
        deleted = _delete(client, f"{ACCOUNTS}/{account_id}", what, outcome, deadline)
        ledger.account_deleted(account_id)

        if not deleted:
            outcome.left += stuck.pop(account_id, [])

    swept = sweep(client, prefix, deadline)
    outcome.deleted += swept.deleted
    outcome.left += swept.left
    return outcome


def sweep(
    client: ApiClient,
    prefix: str = RUN_PREFIX,
    deadline: float | None = None,
    *,
    dry_run: bool = False,
) -> Cleanup:
    """Delete every service account a run named with ``prefix``.

    ``prefix`` is one run's (``conformance-1a2b3c4d-``) or every run's
    (``conformance-``); either way only names of a run's shape match, so an
    account someone called ``conformance-team-bot`` is never touched. With
    ``dry_run`` the accounts are listed as deleted, and nothing is sent.
    """
    outcome = Cleanup()
    ours = run_names(prefix)

    if _past(deadline):
        outcome.left.append(f"accounts named {prefix}* (not looked for: {_SPENT})")
        return outcome

    try:
        listing = client.send("GET", ACCOUNTS, checked=False)
    except ServerUnreachable as error:
        outcome.left.append(f"accounts named {prefix}* ({error.reason})")
        return outcome

    body = listing.json
    accounts = body.get("serviceAccounts") if isinstance(body, dict) else None

    if listing.status != 200 or not isinstance(accounts, list):
        media = listing.media_type or "no content type"
        outcome.left.append(
            f"accounts named {prefix}* (not looked for: the list answered "
            f"{listing.status} ({media}), not a list of service accounts)"
        )
        return outcome

    for account in accounts:
        username = account.get("username") if isinstance(account, dict) else None

        if isinstance(username, str) and ours.match(username):
            what = f"service account {account.get('id')} ({username})"

            if dry_run:
                outcome.deleted.append(what)
            else:
                path = f"{ACCOUNTS}/{account.get('id')}"
                _delete(client, path, what, outcome, deadline)

    return outcome


def run_names(prefix: str) -> re.Pattern[str]:
    """The usernames a run with this prefix (or any run, for the bare one) gives."""
    if prefix == RUN_PREFIX:
        return re.compile(re.escape(RUN_PREFIX) + RUN_ID_PATTERN + "-")

    return re.compile(re.escape(prefix))


def _delete(
    client: ApiClient,
    path: str,
    what: str,
    outcome: Cleanup,
    deadline: float | None = None,
) -> bool:
    """Delete one record; whether it is gone, noting the outcome either way."""
    if _past(deadline):
        outcome.left.append(f"{what} ({_SPENT})")
        return False

    # One more try after a dropped connection: a flaky network must not
    # leave records behind that a second request would have deleted.
    for attempt in (1, 2):
        try:
            # No Content-Type: a server that refuses the web UI's DELETE headers
            # (a check reports that) must still let the run clean up.
            answer = client.send(
                "DELETE",
                path,
                headers={"Accept": JSON},
                checked=False,
                ui_headers=False,
            )
            break
        except ServerUnreachable as error:
            if attempt == 2 or _past(deadline):
                outcome.left.append(f"{what} ({error.reason})")
                return False

    # Gone already counts as cleaned up: a check may have deleted it.
    if 200 <= answer.status < 300 or answer.status == 404:
        outcome.deleted.append(what)
        return True

    outcome.left.append(f"{what} (delete answered {answer.status})")
    return False


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() > deadline
