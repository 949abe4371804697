"""A catalogue of defective mocks: each has one fault a real Unleash could have.

The conformance suite earns trust by failing on these. Each ``Defect`` names
the fault, the function that puts it into a freshly built mock (its docstring
says how), and every check the suite must report as a failure for it. Faults
that break the contract are injected as WSGI middleware outside the mock's own
contract check (``tests/wire_faults.py``); faults of behaviour the contract
allows are patched into the mock's internals for the test's duration
(``tests/behaviour_faults.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask

from tests import behaviour_faults as behaviour
from tests import wire_faults as wire

Injector = Callable[[Flask, pytest.MonkeyPatch], None]


@dataclass(frozen=True)
class Defect:
    """One fault, how it gets into a mock, and the checks that must report it."""

    id: str
    fault: str
    inject: Injector
    checks: tuple[str, ...]

    @property
    def how(self) -> str:
        return (self.inject.__doc__ or "").strip().splitlines()[0]


DEFECTS = (
    Defect(
        "delete-answers-204",
        "DELETE answers 204 No Content where Unleash documents 200",
        wire.deletes_answer_204,
        ("status_code_conformance", "delete_cascades"),
    ),
    Defect(
        "create-answers-200",
        "Create answers 200 OK where Unleash documents 201 Created",
        wire.creates_answer_200,
        ("status_code_conformance",),
    ),
    Defect(
        "token-missing-created-at",
        "Tokens are sent without their required createdAt",
        wire.token_without_created_at,
        ("response_schema_conformance",),
    ),
    Defect(
        "account-undeclared-key",
        "Accounts carry a key their closed schema does not declare",
        wire.account_with_undeclared_key,
        ("undeclared_keys",),
    ),
    Defect(
        "root-role-as-string",
        "The integer rootRole is serialised as a string",
        wire.root_role_as_string,
        ("response_schema_conformance",),
    ),
    Defect(
        "bad-body-500",
        "A body of the wrong shape crashes the handler: 500 instead of 400",
        wire.bad_body_crashes,
        ("not_a_server_error",),
    ),
    Defect(
        "auth-statuses-swapped",
        "Missing credentials get 403 and missing permission gets 401",
        wire.auth_statuses_swapped,
        ("missing_credentials_rejected", "viewer_token_forbidden"),
    ),
    Defect(
        "duplicate-username-accepted",
        "A second account with a taken username is created, not refused with 409",
        behaviour.duplicate_username_accepted,
        ("duplicate_username_refused",),
    ),
    Defect(
        "duplicate-token-description-accepted",
        "A second token with a taken description is created, not refused with 409",
        behaviour.duplicate_token_description_accepted,
        ("duplicate_token_description_refused",),
    ),
    Defect(
        "secret-in-lists",
        "Token lists repeat each token's secret",
        behaviour.secret_in_lists,
        ("secret_only_on_create",),
    ),
    Defect(
        "tokens-outlive-account",
        "Tokens of a deleted account still log in",
        behaviour.tokens_outlive_account,
        ("delete_cascades",),
    ),
    Defect(
        "ids-reused",
        "The id of a deleted account is handed out again",
        behaviour.ids_reused,
        ("ids_not_reused",),
    ),
    Defect(
        "wrong-content-type",
        "JSON bodies are labelled text/html",
        wire.wrong_content_type,
        ("content_type_conformance",),
    ),
    Defect(
        "token-list-forbidden",
        "An admin's valid request for a token list is refused with 403",
        wire.token_list_forbidden,
        ("positive_data_acceptance", "delete_cascades"),
    ),
    Defect(
        "no-location",
        "A 201 comes without its location header",
        wire.no_location,
        ("location_header",),
    ),
    Defect(
        "location-names-collection",
        "location points at the collection, not at the created record",
        wire.location_names_collection,
        ("location_header",),
    ),
    Defect(
        "expired-token-accepted",
        "An expired token still logs in",
        behaviour.expired_token_accepted,
        ("expired_token_rejected",),
    ),
    Defect(
        "deleted-token-accepted",
        "A deleted token still logs in",
        behaviour.deleted_token_accepted,
        ("deleted_token_rejected",),
    ),
    Defect(
        "auth-ignored",
        "Requests are served whatever credentials they carry, or none",
        wire.auth_ignored,
        ("missing_credentials_rejected", "unknown_token_rejected"),
    ),
    Defect(
        "charset-refused",
        "application/json; charset=utf-8 is refused with 415",
        wire.charset_refused,
        ("json_charset_accepted",),
    ),
    Defect(
        "update-not-persisted",
        "An update answers with the new values but does not keep them",
        behaviour.update_not_persisted,
        ("update_persists",),
    ),
    Defect(
        "sql-in-error",
        "A 404 body repeats the SQL query that found nothing",
        wire.sql_in_not_found,
        ("no_internal_details",),
    ),
    Defect(
        "stack-trace-in-error",
        "A 400 body carries the server's stack trace",
        wire.stack_in_bad_request,
        ("no_internal_details",),
    ),
    Defect(
        "bearer-refused",
        "Authorization: Bearer <token> is refused, though the description declares it",
        wire.bearer_refused,
        ("bearer_and_raw_accepted",),
    ),
    Defect(
        "delete-json-headers-refused",
        "A DELETE with JSON headers and no body is refused with 400",
        wire.delete_with_json_headers_refused,
        ("delete_with_json_headers",),
    ),
    Defect(
        "viewer-may-manage",
        "A Viewer account's token may manage service accounts",
        behaviour.viewer_may_manage,
        ("viewer_token_forbidden",),
    ),
    Defect(
        "anonymous-bad-body-400",
        "An anonymous bad body gets 400 or 415 instead of 401",
        behaviour.validation_before_auth,
        ("auth_before_validation",),
    ),
)
