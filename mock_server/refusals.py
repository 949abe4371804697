"""Refusals of a request's form, and the mock's own contract violations.

Business rules refuse with errors of their own (``rules.py``, ``auth.py``);
these are the answers about HTTP itself: the body, its size and its media
type, plus the 500 a response that breaks the description turns into.
"""

from __future__ import annotations

from mock_server.errors import ApiError, ErrorKind, echoed


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
        provided = echoed(content_type) if content_type else "you didn't provide one"
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
