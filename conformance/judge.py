"""Turning an observed exchange into a pass or a confirmed finding.

A check states its property as a predicate over an exchange. When the
predicate fails, the final request is sent again (or replayed by a function
the check gives, where sending the same request again would mean something
else); only a failure that shows again is reported as one, and a failure
that does not reproduce is reported as flaky.
"""

from __future__ import annotations

from collections.abc import Callable

from conformance.client import ApiClient, Exchange, ServerUnreachable, curl_command
from conformance.findings import Finding, RunResult, Severity
from conformance.redaction import Redactor

Predicate = Callable[[Exchange], bool]
Describe = Callable[[Exchange], str]
Replay = Callable[[], Exchange]
# Told of each check outcome: operation, check, whether it held.
CheckHook = Callable[[str, str, bool], None]

# How much of a response body a finding quotes.
QUOTE_LIMIT = 300


def describe_response(exchange: Exchange) -> str:
    """The status, content type and the start of the body of a response."""
    body = exchange.text.strip()
    body = body if len(body) <= QUOTE_LIMIT else body[: QUOTE_LIMIT - 1] + "…"
    media = exchange.media_type or "no content type"
    return f"{exchange.status} ({media}) {body}".rstrip()


class Judge:
    """Records each check's outcome in the run's result."""

    def __init__(
        self, result: RunResult, client: ApiClient, redact: Redactor, phase: str
    ) -> None:
        self.result = result
        self.client = client
        self.redact = redact
        self.phase = phase
        # Told of every outcome, for progress while the run goes on.
        self.on_check: CheckHook | None = None

    def expect(
        self,
        check: str,
        exchange: Exchange,
        holds: Predicate,
        *,
        title: str,
        expected: str,
        describe: Describe = describe_response,
        replay: Replay | None = None,
        severity: Severity = Severity.FAILURE,
        operation: str = "",
    ) -> bool:
        """Whether ``holds(exchange)``; a finding is recorded when it does not."""
        operation = operation or exchange.operation_id or exchange.path

        if holds(exchange):
            self.result.passed(operation, check)
            self._tell(operation, check, ok=True)
            return True

        if severity is Severity.FAILURE and not self._reproduces(
            exchange, holds, replay
        ):
            severity = Severity.FLAKY

        self._tell(operation, check, ok=severity is not Severity.FAILURE)

        self.result.found(
            Finding(
                check=check,
                operation=operation,
                title=title,
                expected=expected,
                actual=self.redact(describe(exchange)),
                curl=curl_command(exchange, self.redact),
                severity=severity,
                phase=self.phase,
            )
        )
        return False

    def _tell(self, operation: str, check: str, *, ok: bool) -> None:
        if self.on_check is not None:
            self.on_check(operation, check, ok)

    def _reproduces(
        self, exchange: Exchange, holds: Predicate, replay: Replay | None
    ) -> bool:
        try:
            again = replay() if replay else self.client.resend(exchange)
        except ServerUnreachable:
            # No answer is no evidence either way; the first one stands.
            return True

        return not holds(again)
