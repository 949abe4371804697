"""The road every API request travels, in the real server's order.

Unleash runs its middleware in this order (``app.ts`` and
``routes/controller.ts`` of the open-source core): authentication (401),
permission (403), content type (415, POST and PUT only), schema validation
(400), and only then the handler. The mock keeps that order, so a caller
without credentials never learns what its body got wrong. Every response,
errors included, is then checked against the description.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from flask import Request, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from mock_server.auth import AuthenticationRequired, Authenticator
from mock_server.contract import (
    JSON,
    ApiCall,
    ApiResponse,
    Contract,
    api_call,
    media_type,
    read_json,
)
from mock_server.description import Operation
from mock_server.errors import ApiError, ErrorKind
from mock_server.handlers import Call, Handler, Reply
from mock_server.sessions import SESSION_HEADER, Sessions

log = logging.getLogger("mock_server")

# The content type Unleash's checker names in its 415 is cut to this length.
_ECHOED_CONTENT_TYPE = 100


class ContractViolation(ApiError):
    """The mock's own response broke the description: a bug in the mock."""

    def __init__(self, operation_id: str, violations: list[str]) -> None:
        super().__init__(
            ErrorKind.CONTRACT_VIOLATION,
            f"The mock's response to {operation_id} broke the OpenAPI "
            "description; this is a bug in the mock. Details list each violation.",
            details=[{"message": violation} for violation in violations],
        )
        self.violations = violations


class UnsupportedContentType(ApiError):
    def __init__(self, content_type: str | None) -> None:
        provided = (content_type or "")[:_ECHOED_CONTENT_TYPE] or (
            "you didn't provide one"
        )
        super().__init__(
            ErrorKind.CONTENT_TYPE,
            f"We do not accept the content-type you provided ({provided}). Try "
            "using one of the content-types we do accept instead (application/json) "
            "and make sure the body is in the corresponding format.",
        )


class PayloadTooLarge(ApiError):
    def __init__(self) -> None:
        super().__init__(ErrorKind.PAYLOAD_TOO_LARGE, "request entity too large")


class BadData(ApiError):
    def __init__(self, details: list[dict[str, str]]) -> None:
        super().__init__(
            ErrorKind.BAD_DATA,
            "Request validation failed: your request body or params contain "
            "invalid data. Refer to the `details` list for more information.",
            details=details,
        )


@dataclass
class Endpoint:
    """The Flask view of one operation."""

    operation: Operation
    handler: Handler
    contract: Contract
    authenticator: Authenticator
    sessions: Sessions
    base_path: str
    raise_on_violation: bool

    def __call__(self, **path_arguments: str) -> Response:
        try:
            call = self._api_call(request, path_arguments)
        except RequestEntityTooLarge:
            # Unleash's body parser runs before anything else and refuses
            # bodies over 100 kB, so this answer comes even before a 401.
            call = self._api_call(request, path_arguments, with_body=False)
            return self._checked(call, PayloadTooLarge().to_response())

        try:
            response = self._answer(call, path_arguments)
        except ApiError as error:
            response = error.to_response()

        return self._checked(call, response)

    def _answer(self, call: ApiCall, path_arguments: dict[str, str]) -> Response:
        store = self.sessions.store(request.headers.get(SESSION_HEADER))
        findings = self.contract.check_request(call)
        header = request.headers.get("Authorization")

        if findings.credentials_missing:
            raise AuthenticationRequired()

        self.authenticator.authenticate(header, store)

        if self.operation.has_body and (
            findings.media_type_unsupported
            or media_type(request.headers.get("Content-Type")) != JSON
        ):
            raise UnsupportedContentType(request.headers.get("Content-Type"))

        if findings.bad_data:
            raise BadData(findings.bad_data)

        body = read_json(call.body or b"null") if self.operation.has_body else None
        reply = self.handler(Call(store, path_arguments, body, self._url_for))
        return _render(reply)

    def _checked(self, call: ApiCall, response: Response) -> Response:
        violations = self.contract.check_response(call, _api_response(response))

        if not violations:
            return response

        error = ContractViolation(self.operation.operation_id, violations)
        log.error("%s", error.message + " " + " | ".join(violations))

        if self.raise_on_violation:
            raise error

        return error.to_response()

    def _api_call(
        self,
        flask_request: Request,
        path_arguments: dict[str, str],
        *,
        with_body: bool = True,
    ) -> ApiCall:
        # A HEAD is a GET whose body the server drops, so it is checked as one.
        method = "get" if flask_request.method == "HEAD" else flask_request.method
        return api_call(
            host_url=flask_request.host_url,
            path=flask_request.path,
            method=method,
            headers=flask_request.headers,
            path_arguments=path_arguments,
            query=flask_request.args,
            body=(
                flask_request.get_data()
                if self.operation.has_body and with_body
                else None
            ),
        )

    def _url_for(self, path: str) -> str:
        return request.host_url.rstrip("/") + self.base_path + path


def _render(reply: Reply) -> Response:
    if reply.body is None:
        response = Response(status=reply.status)
        # Unleash ends these responses with no body and no content type.
        del response.headers["Content-Type"]
    else:
        response = Response(
            json.dumps(reply.body, separators=(",", ":")),
            status=reply.status,
            mimetype=JSON,
        )

    response.headers.update(reply.headers)
    return response


def _api_response(response: Response) -> ApiResponse:
    return ApiResponse(
        status_code=response.status_code,
        headers=response.headers,
        content_type=media_type(response.content_type),
        data=response.get_data(),
    )
