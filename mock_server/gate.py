"""The contract check around one operation, shared by the API and control views.

It builds the request openapi-core reads from Flask's, and checks each
response before it leaves: a response that breaks the description is a bug in
the mock, logged and answered with a 500 that names every violation (or raised,
when a test runs the mock).

Each check first asks the operation's screens (``screens.py``), compiled once
from the description; only what they do not pass goes to openapi-core, which
then decides and words every error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from flask import Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from mock_server.contract import (
    JSON,
    ApiCall,
    ApiResponse,
    Contract,
    RequestFindings,
    api_call,
    media_type,
    read_json,
)
from mock_server.description import Operation
from mock_server.fast_json import encoded, parsed_own
from mock_server.handlers import Reply
from mock_server.redaction import redacted
from mock_server.refusals import ContractViolation, PayloadTooLarge
from mock_server.screens import (
    RequestScreen,
    ResponseScreen,
    request_screen,
    response_screen,
)

log = logging.getLogger("mock_server")


@dataclass(frozen=True, slots=True)
class CheckedRequest:
    """A request's findings, and its JSON body if a screen read it already."""

    findings: RequestFindings
    body: Any = None
    screened: bool = False

    def body_of(self, call: RequestCall, has_body: bool) -> Any:
        """The body as JSON; called once the findings are known to be clean."""
        if self.screened or not has_body:
            return self.body

        return read_json(call.body or b"null")


@dataclass
class RequestCall:
    """The current request's body, and openapi-core's view of the request.

    That view is built on first use: most requests pass the screens and never
    reach openapi-core, and deriving it (the host URL, the parsed query)
    would cost each of them about a tenth of its time.
    """

    path_arguments: dict[str, str]
    body: bytes | None
    path_pattern: str

    @cached_property
    def for_openapi_core(self) -> ApiCall:
        # A HEAD is a GET whose body the server drops, so it is checked as one.
        method = "get" if request.method == "HEAD" else request.method
        return api_call(
            host_url=request.host_url,
            path=request.path,
            method=method,
            headers=request.headers,
            path_arguments=self.path_arguments,
            query=request.args,
            body=self.body,
            path_pattern=self.path_pattern,
        )


@dataclass(frozen=True, slots=True)
class KeptBody:
    """A kept reply body that was sent and found conforming, and its bytes."""

    body: Any
    encoded: bytes


@dataclass
class LastKept:
    """The kept body a gate sent last; one reference, replaced whole."""

    sent: KeptBody | None = None


@dataclass(frozen=True)
class ContractGate:
    """Validates one operation's requests and responses against the description."""

    contract: Contract
    operation: Operation
    raise_on_violation: bool
    base_path: str = ""
    request_screen: RequestScreen | None = field(init=False)
    response_screen: ResponseScreen | None = field(init=False)
    last_kept: LastKept = field(init=False, default_factory=LastKept)

    def __post_init__(self) -> None:
        method, path = self.operation.method, self.operation.path
        document = self.contract.document
        # A frozen dataclass sets derived fields this way, once, at start.
        object.__setattr__(
            self, "request_screen", request_screen(document, path, method)
        )
        object.__setattr__(
            self, "response_screen", response_screen(document, path, method)
        )

    def call(
        self, path_arguments: dict[str, str], *, with_body: bool = True
    ) -> RequestCall:
        """The current request, as the checks read it.

        Reading the body raises ``PayloadTooLarge`` past the size limit, which
        Unleash's body parser enforces before anything else runs.
        """
        body = None

        if self.operation.has_body and with_body:
            try:
                body = request.get_data()
            except RequestEntityTooLarge:
                raise PayloadTooLarge() from None

        return RequestCall(
            path_arguments,
            body,
            request.root_path + self.base_path + self.operation.path,
        )

    def check_request(
        self, call: RequestCall, path_arguments: dict[str, str]
    ) -> CheckedRequest:
        """What is wrong with the request, if anything, by Unleash's layers."""
        if self.request_screen is not None:
            passed, body = self.request_screen.passes(
                request.headers,
                path_arguments,
                request.headers.get("Content-Type"),
                call.body,
            )

            if passed:
                return CheckedRequest(RequestFindings(), body, screened=True)

        return CheckedRequest(self.contract.check_request(call.for_openapi_core))

    def respond(self, call: RequestCall, reply: Reply) -> Response:
        """The response for a handler's reply, once it is checked.

        A kept body that this gate sent last, and found conforming, is the very
        same object again: it is neither encoded nor checked a second time.
        """
        last = self.last_kept.sent

        if last is not None and reply.body is last.body:
            response = render(reply, last.encoded)
            return self.checked(call, response, reply.body, body_conforms=True)

        response = render(reply)
        checked = self.checked(call, response, reply.body)

        if reply.kept and checked is response:
            self.last_kept.sent = KeptBody(reply.body, response.get_data())

        return checked

    def checked(
        self,
        call: RequestCall,
        response: Response,
        body: Any = None,
        *,
        body_conforms: bool = False,
    ) -> Response:
        """The response if it conforms, else the 500 that names its violations.

        ``body`` is the response's JSON before encoding, if the caller has it;
        ``body_conforms`` says it was found conforming before.
        """
        if self.response_screen is not None and self.response_screen.passes(
            response.status_code,
            response.headers,
            response.content_type,
            lambda: body if body is not None else parsed_own(response.get_data()),
            body_conforms=body_conforms,
        ):
            return response

        violations = self.contract.check_response(
            call.for_openapi_core,
            ApiResponse(
                status_code=response.status_code,
                headers=response.headers,
                content_type=media_type(response.content_type),
                data=response.get_data(),
            ),
        )

        if not violations:
            return response

        error = ContractViolation(self.operation.operation_id, violations)
        log.error("%s %s", error.message, redacted(" | ".join(violations)))

        if self.raise_on_violation:
            raise error

        return error.to_response()


def render(reply: Reply, encoded_body: bytes | None = None) -> Response:
    """The HTTP response for a handler's reply, its body encoded unless given."""
    if reply.body is None:
        response = Response(status=reply.status)
        # Unleash ends these responses with no body and no content type.
        del response.headers["Content-Type"]
    else:
        response = Response(
            encoded(reply.body) if encoded_body is None else encoded_body,
            status=reply.status,
            mimetype=JSON,
        )

    response.headers.update(reply.headers)
    return response
