"""Faults on the wire: middleware that rewrites what the mock says, or answers first.

Each function puts one fault into a mock app; its docstring says how. These
faults break the contract, so they sit outside the mock's own contract check
(see ``tests/tampering.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from werkzeug.wrappers import Request

from mock_server.auth import DEFAULT_ADMIN_TOKEN
from mock_server.contract import JSON, media_type
from tests.tampering import Answer, operation_of, tamper, unleash_error


def deletes_answer_204(app: Flask, _: pytest.MonkeyPatch) -> None:
    """Middleware turns the 200 of both DELETE operations into 204."""

    def after(request: Request, answer: Answer) -> None:
        if request.method == "DELETE" and answer.status == 200:
            answer.status = 204

    tamper(app, after=after)


def creates_answer_200(app: Flask, _: pytest.MonkeyPatch) -> None:
    """Middleware turns the 201 of both create operations into 200."""

    def after(request: Request, answer: Answer) -> None:
        if answer.status == 201:
            answer.status = 200

    tamper(app, after=after)


def token_without_created_at(app: Flask, _: pytest.MonkeyPatch) -> None:
    """Middleware drops the required `createdAt` from every token it sends."""

    def change(operation: str, body: dict[str, Any]) -> None:
        for token in _tokens_in(operation, body):
            token.pop("createdAt", None)

    _rewrite_bodies(app, change)


def account_with_undeclared_key(app: Flask, _: pytest.MonkeyPatch) -> None:
    """Middleware adds `isService: true` to every account, a closed object."""

    def change(operation: str, body: dict[str, Any]) -> None:
        for account in _accounts_in(operation, body):
            account["isService"] = True

    _rewrite_bodies(app, change)


def root_role_as_string(app: Flask, _: pytest.MonkeyPatch) -> None:
    """Middleware sends every account's integer `rootRole` as a string."""

    def change(operation: str, body: dict[str, Any]) -> None:
        for account in _accounts_in(operation, body):
            account["rootRole"] = str(account.get("rootRole"))

    _rewrite_bodies(app, change)


def bad_body_crashes(app: Flask, _: pytest.MonkeyPatch) -> None:
    """Middleware turns every 400 into a 500, as a handler that trusts its body."""

    def after(request: Request, answer: Answer) -> None:
        if answer.status == 400:
            crash = unleash_error(
                500,
                "InternalError",
                "Cannot read properties of undefined (reading 'length')",
            )
            answer.status, answer.body = crash.status, crash.body

    tamper(app, after=after)


def auth_statuses_swapped(app: Flask, _: pytest.MonkeyPatch) -> None:
    """Middleware answers 403 for every 401 and 401 for every 403."""

    def after(request: Request, answer: Answer) -> None:
        answer.status = {401: 403, 403: 401}.get(answer.status, answer.status)

    tamper(app, after=after)


def wrong_content_type(app: Flask, _: pytest.MonkeyPatch) -> None:
    """Middleware labels every JSON response `text/html; charset=utf-8`."""

    def after(request: Request, answer: Answer) -> None:
        if media_type(answer.headers.get("Content-Type")) == JSON:
            answer.headers["Content-Type"] = "text/html; charset=utf-8"

    tamper(app, after=after)


def no_location(app: Flask, _: pytest.MonkeyPatch) -> None:
    """Middleware removes the `location` header from every 201."""

    def after(request: Request, answer: Answer) -> None:
        if answer.status == 201:
            del answer.headers["Location"]

    tamper(app, after=after)


def location_names_collection(app: Flask, _: pytest.MonkeyPatch) -> None:
    """Middleware points `location` at the collection posted to, not the record."""

    def after(request: Request, answer: Answer) -> None:
        if answer.status == 201:
            answer.headers["Location"] = request.base_url

    tamper(app, after=after)


def auth_ignored(app: Flask, _: pytest.MonkeyPatch) -> None:
    """Middleware hands every request to the mock with the admin token in place."""

    def before(request: Request) -> Answer | None:
        request.environ["HTTP_AUTHORIZATION"] = DEFAULT_ADMIN_TOKEN
        return None

    tamper(app, before=before)


def charset_refused(app: Flask, _: pytest.MonkeyPatch) -> None:
    """Middleware answers 415 to a body whose media type carries a parameter."""

    def before(request: Request) -> Answer | None:
        content_type = request.headers.get("Content-Type", "")

        if request.method in ("POST", "PUT") and ";" in content_type:
            return unleash_error(
                415,
                "ContentTypeError",
                f"We do not accept the content-type you provided ({content_type}).",
            )

        return None

    tamper(app, before=before)


def token_list_forbidden(app: Flask, _: pytest.MonkeyPatch) -> None:
    """Middleware answers 403 to every token list, an admin's included."""

    def before(request: Request) -> Answer | None:
        if operation_of(request) == "getServiceAccountTokens":
            return unleash_error(
                403,
                "PermissionError",
                "You don't have the required permissions to perform this operation.",
            )

        return None

    tamper(app, before=before)


def bearer_refused(app: Flask, _: pytest.MonkeyPatch) -> None:
    """Middleware answers 401 to `Authorization: Bearer <token>`."""

    def before(request: Request) -> Answer | None:
        if request.headers.get("Authorization", "").lower().startswith("bearer "):
            return unleash_error(
                401, "UnauthorizedError", "You must log in to use Unleash."
            )

        return None

    tamper(app, before=before)


def delete_with_json_headers_refused(app: Flask, _: pytest.MonkeyPatch) -> None:
    """Middleware answers 400 to a DELETE that says JSON and sends no body."""

    def before(request: Request) -> Answer | None:
        declared = media_type(request.headers.get("Content-Type"))

        if request.method == "DELETE" and declared == JSON and not request.data:
            refusal = unleash_error(400, "BadDataError", "Unexpected end of JSON input")
            refusal.json = {"message": "Unexpected end of JSON input"}
            return refusal

        return None

    tamper(app, before=before)


def sql_in_not_found(app: Flask, _: pytest.MonkeyPatch) -> None:
    """Middleware appends the failed query to the message of every 404."""

    def change(status: int, body: dict[str, Any]) -> None:
        if status == 404:
            body["message"] = (
                f"{body.get('message')} (select * from users where id = $1 "
                "and is_service = true)"
            )

    _rewrite_errors(app, change)


def stack_in_bad_request(app: Flask, _: pytest.MonkeyPatch) -> None:
    """Middleware adds a Node.js `stack` to the body of every 400."""

    def change(status: int, body: dict[str, Any]) -> None:
        if status == 400:
            body["stack"] = (
                "BadDataError: Request validation failed\n"
                "    at validateRequest (/unleash/dist/lib/openapi/validate.js:41:23)\n"
                "    at next (/unleash/node_modules/express/lib/router/route.js:149:13)"
            )

    _rewrite_errors(app, change)


def _rewrite_bodies(app: Flask, change: Callable[[str, dict[str, Any]], None]) -> None:
    """Let ``change`` edit every successful JSON body, knowing its operation."""

    def after(request: Request, answer: Answer) -> None:
        body = answer.json

        if answer.status < 300 and isinstance(body, dict):
            change(operation_of(request), body)
            answer.json = body

    tamper(app, after=after)


def _rewrite_errors(app: Flask, change: Callable[[int, dict[str, Any]], None]) -> None:
    """Let ``change`` edit every error body, knowing its status."""

    def after(request: Request, answer: Answer) -> None:
        body = answer.json

        if answer.status >= 400 and isinstance(body, dict):
            change(answer.status, body)
            answer.json = body

    tamper(app, after=after)


def _accounts_in(operation: str, body: Any) -> list[dict[str, Any]]:
    if operation in ("createServiceAccount", "updateServiceAccount"):
        return [body] if isinstance(body, dict) and "id" in body else []

    if operation == "getServiceAccounts" and isinstance(body, dict):
        return [a for a in body.get("serviceAccounts", []) if isinstance(a, dict)]

    return []


def _tokens_in(operation: str, body: Any) -> list[dict[str, Any]]:
    if operation == "createServiceAccountToken":
        return [body] if isinstance(body, dict) and "id" in body else []

    if operation == "getServiceAccountTokens" and isinstance(body, dict):
        return list(body.get("pats", []))

    return [t for a in _accounts_in(operation, body) for t in a.get("tokens", [])]
