"""The contract check around one operation, shared by the API and control views.

It builds the request openapi-core reads from Flask's, and checks each
response before it leaves: a response that breaks the description is a bug in
the mock, logged and answered with a 500 that names every violation (or raised,
when a test runs the mock).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from flask import Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from mock_server.contract import (
    JSON,
    ApiCall,
    ApiResponse,
    Contract,
    api_call,
    media_type,
)
from mock_server.description import Operation
from mock_server.handlers import Reply
from mock_server.redaction import redacted
from mock_server.refusals import ContractViolation, PayloadTooLarge

log = logging.getLogger("mock_server")


@dataclass(frozen=True)
class ContractGate:
    """Validates one operation's requests and responses with openapi-core."""

    contract: Contract
    operation: Operation
    raise_on_violation: bool
    base_path: str = ""

    def call(
        self, path_arguments: dict[str, str], *, with_body: bool = True
    ) -> ApiCall:
        """The current request as openapi-core reads it.

        Reading the body raises ``PayloadTooLarge`` past the size limit, which
        Unleash's body parser enforces before anything else runs.
        """
        # A HEAD is a GET whose body the server drops, so it is checked as one.
        method = "get" if request.method == "HEAD" else request.method
        body = None

        if self.operation.has_body and with_body:
            try:
                body = request.get_data()
            except RequestEntityTooLarge:
                raise PayloadTooLarge() from None

        return api_call(
            host_url=request.host_url,
            path=request.path,
            method=method,
            headers=request.headers,
            path_arguments=path_arguments,
            query=request.args,
            body=body,
            path_pattern=request.root_path + self.base_path + self.operation.path,
        )

    def checked(self, call: ApiCall, response: Response) -> Response:
        violations = self.contract.check_response(
            call,
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


def render(reply: Reply) -> Response:
    """The HTTP response for a handler's reply."""
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
