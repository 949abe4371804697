"""Every error the mock answers with, and the one JSON shape they share.

Unleash renders each error as ``{id, name, message, details: [{message}]}``
(``UnleashError.toJSON`` in the open-source core that Enterprise builds on), and
some kinds add fields of their own, such as ``permissions`` on a 403. The
table below maps each kind of error to its HTTP status and Unleash's name for
it; nothing else in the mock chooses an error status.

The hierarchy::

    MockServerError             root of every error raised by this package
    ├── ApiError                answered to the client in Unleash's error shape
    │   └── (business errors)   defined next to the rules they enforce
    └── StartupError            the mock cannot start; the message says why
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any

from flask import Response

from mock_server.redaction import redacted

# Values a message repeats back are cut to this length, so a huge input is
# never sent back whole.
ECHO_LIMIT = 80


def echoed(text: str, limit: int = ECHO_LIMIT) -> str:
    """A value as an error message repeats it: no secrets, cut short if long."""
    text = redacted(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ErrorKind(Enum):
    """A kind of error: the status it is answered with and Unleash's name."""

    BAD_DATA = (400, "BadDataError")
    AUTHENTICATION_REQUIRED = (401, "AuthenticationRequired")
    UNAUTHORIZED = (401, "UnauthorizedError")
    PERMISSION = (403, "PermissionError")
    OPERATION_DENIED = (403, "OperationDeniedError")
    NOT_FOUND = (404, "NotFoundError")
    METHOD_NOT_ALLOWED = (405, "MethodNotAllowedError")
    NAME_EXISTS = (409, "NameExistsError")
    PAYLOAD_TOO_LARGE = (413, "PayloadTooLargeError")
    HEADERS_TOO_LARGE = (431, "RequestHeaderFieldsTooLargeError")
    CONTENT_TYPE = (415, "ContentTypeError")
    CONTRACT_VIOLATION = (500, "ContractViolationError")
    INTERNAL = (500, "InternalError")
    NOT_IMPLEMENTED = (501, "NotImplementedError")

    def __init__(self, status: int, unleash_name: str) -> None:
        self.status = status
        self.unleash_name = unleash_name


class MockServerError(Exception):
    """Root of every error this package raises."""


class StartupError(MockServerError):
    """The mock cannot start, for a reason its message states."""


class ApiError(MockServerError):
    """An error answered to the client in Unleash's error shape.

    ``details`` is a list of ``{message, ...}`` objects; when empty, the body
    repeats the message as its single detail, as Unleash does. ``extra`` holds
    the fields some kinds add at the top level (``permissions`` on a 403).
    """

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        details: Sequence[Mapping[str, Any]] = (),
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        # Whatever a message quotes from the request, a token never goes back.
        message = redacted(message)
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.details = [_redacted_detail(detail) for detail in details]
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})

    @property
    def status(self) -> int:
        return self.kind.status

    def body(self) -> dict[str, Any]:
        """The JSON body Unleash would send for this error."""
        details = self.details or [{"message": self.message}]
        return {
            "id": str(uuid.uuid4()),
            "name": self.kind.unleash_name,
            "message": self.message,
            "details": [dict(detail) for detail in details],
            **self.extra,
        }

    def to_response(self) -> Response:
        response = Response(
            json.dumps(self.body(), separators=(",", ":")),
            status=self.status,
            mimetype="application/json",
        )
        response.headers.update(self.headers)
        return response


def _redacted_detail(detail: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: redacted(value) if isinstance(value, str) else value
        for key, value in detail.items()
    }


class MockUsageError(ApiError):
    """A misuse of the mock itself, such as a malformed ``X-Mock-Session``.

    The description covers Unleash's answers, not these, so such a response is
    sent without checking it against the description.
    """
