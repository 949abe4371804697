"""The suite's own checks of what the schema cannot express, as short scenarios.

Each scenario walks a few calls on records it creates and judges the answers;
the check names they report are listed in ``CHECKS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from conformance.scenarios import access, accounts, media, tokens
from conformance.scenarios.world import World


@dataclass(frozen=True)
class Scenario:
    name: str
    run: Callable[[World], None]
    # Sends nothing that changes state, so it may run with --read-only.
    read_only: bool = False


SCENARIOS = (
    Scenario("bearer_and_raw_accepted", access.bearer_and_raw_accepted, read_only=True),
    Scenario("missing_credentials_rejected", access.missing_credentials_rejected),
    Scenario("unknown_token_rejected", access.unknown_token_rejected),
    Scenario("auth_before_validation", access.auth_before_validation),
    Scenario("viewer_token_forbidden", access.viewer_token_forbidden),
    Scenario("deleted_token_rejected", access.deleted_token_rejected),
    Scenario("created_account_listed", accounts.created_account_listed),
    Scenario("update_persists", accounts.update_persists),
    Scenario("delete_cascades", accounts.delete_cascades),
    Scenario("ids_not_reused", accounts.ids_not_reused),
    Scenario("duplicate_username_refused", accounts.duplicate_username_refused),
    Scenario("token_lifecycle", tokens.token_lifecycle),
    Scenario(
        "duplicate_token_description_refused",
        tokens.duplicate_token_description_refused,
    ),
    Scenario("non_json_refused", media.non_json_refused),
    Scenario("json_charset_accepted", media.json_charset_accepted),
)

# Every check name the suite itself reports, beside Schemathesis's.
CHECKS = (
    "error_body_shape",
    "no_internal_details",
    "not_a_server_error",
    "secret_only_on_create",
    "location_header",
    "undeclared_keys",
    "created_account_listed",
    "update_persists",
    "delete_cascades",
    "ids_not_reused",
    "duplicate_username_refused",
    "duplicate_token_description_refused",
    "missing_credentials_rejected",
    "unknown_token_rejected",
    "bearer_and_raw_accepted",
    "viewer_token_forbidden",
    "deleted_token_rejected",
    "expired_token_rejected",
    "non_json_refused",
    "json_charset_accepted",
    "delete_with_json_headers",
    "auth_before_validation",
)

__all__ = ["CHECKS", "SCENARIOS", "Scenario", "World"]
