"""The road every API request travels, in the real server's order.

Unleash runs its middleware in this order (``app.ts`` and
``routes/controller.ts`` of the open-source core): body parsing (413),
authentication (401), permission (403), content type (415, POST and PUT only),
schema validation (400), and only then the handler. The mock keeps that order,
so a caller without credentials never learns what its body got wrong.

Before those checks come the mock's own overrides: a ``Prefer: code=``
header, then the session's faults. Every response, errors included, is checked
against the description and written to the session's journal.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from flask import Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from mock_server.auth import AuthenticationRequired, Authenticator
from mock_server.contract import JSON, media_type
from mock_server.control.answers import Sent, UndocumentedStatus, forced_error
from mock_server.control.faults import Faults
from mock_server.control.journal import (
    Journal,
    own_body,
    redacted_body,
    redacted_headers,
)
from mock_server.description import Operation
from mock_server.errors import ApiError, MockUsageError
from mock_server.gate import ContractGate, RequestCall
from mock_server.handlers import Call, Handler, Reply
from mock_server.redaction import redacted
from mock_server.refusals import BadData, UnsupportedContentType
from mock_server.sessions import SESSION_HEADER, Sessions
from mock_server.store import Store
from mock_server.threads import ROUND_END_KEY, sleep_with_stand_in
from mock_server.timestamps import Clock


@dataclass
class Endpoint:
    """The Flask view of one Unleash operation."""

    operation: Operation
    handler: Handler
    gate: ContractGate
    authenticator: Authenticator
    sessions: Sessions
    faults: Faults
    journal: Journal
    base_path: str
    clock: Clock

    def __call__(self, **path_arguments: str) -> Response:
        started = time.perf_counter()
        at = self.clock()
        store: Store | None = None
        call: RequestCall | None = None

        try:
            store = self.sessions.store(request.headers.get(SESSION_HEADER))
            call = self.gate.call(path_arguments)
            reply = self._answer(store, call, path_arguments)
            response = self.gate.respond(call, reply)
        except MockUsageError as error:
            response = error.to_response()
        except ApiError as error:
            call = call or self.gate.call(path_arguments, with_body=False)
            response = self.gate.checked(call, error.to_response())

        if store is not None:
            self._record(store.session, at, started, response)

        return response

    def _answer(
        self, store: Store, call: RequestCall, path_arguments: dict[str, str]
    ) -> Reply:
        self._apply_overrides(store, call, path_arguments)
        checked = self.gate.check_request(call, path_arguments)
        findings = checked.findings

        if findings.credentials_missing:
            raise AuthenticationRequired()

        self.authenticator.authenticate(request.headers.get("Authorization"), store)

        if self.operation.has_body and (
            findings.media_type_unsupported
            or media_type(request.headers.get("Content-Type")) != JSON
        ):
            raise UnsupportedContentType(request.headers.get("Content-Type"))

        if findings.bad_data:
            raise BadData(findings.bad_data)

        body = checked.body_of(call, self.operation.has_body)
        return self.handler(Call(store, path_arguments, body, self._url_for))

    def _apply_overrides(
        self, store: Store, call: RequestCall, path_arguments: dict[str, str]
    ) -> None:
        """Answer as a ``Prefer: code=`` header or a fault asks, if either does.

        A Prefer header speaks for this one request, so it wins over the
        session's faults, which then leave this call alone.
        """
        preferred = preferred_status(request.headers.get("Prefer"))
        sent = Sent(path_arguments, request.headers.get("Content-Type"), call.body)

        if preferred is not None:
            self._force(preferred, sent)
            return

        plan = self.faults.plan(store.session, self.operation.operation_id)

        if plan.delay_seconds:
            sleep_with_stand_in(request.environ, plan.delay_seconds)

        if plan.status is not None:
            raise forced_error(self.operation, plan.status, sent)

    def _force(self, status: str, sent: Sent) -> None:
        code = int(status) if status.isdecimal() else None

        if code not in self.operation.statuses:
            raise UndocumentedStatus(self.operation, status, "/header/Prefer")

        # A documented success status is what the call answers anyway.
        if code is not None and code >= 400:
            raise forced_error(self.operation, code, sent)

    def _record(
        self, session: str, at: datetime, started: float, response: Response
    ) -> None:
        try:
            body = redacted_body(request.get_data(), request.mimetype)
        except RequestEntityTooLarge:
            body = None

        self.journal.record(
            session,
            self.operation.operation_id,
            at,
            (time.perf_counter() - started) * 1000,
            {
                "method": request.method,
                "path": redacted(request.path),
                "query": redacted(request.query_string.decode("latin-1")),
                "headers": redacted_headers(request.headers.items()),
                "body": body,
            },
            {
                "status": response.status_code,
                "headers": redacted_headers(response.headers.items()),
                "body": own_body(response.get_data(), response.mimetype),
            },
            request.environ.get(ROUND_END_KEY),
        )

    def _url_for(self, path: str) -> str:
        # Not werkzeug's host_url, whose IRI decoding took a twentieth of a
        # create: the location header is encoded as a URI on its way out.
        root = f"{request.scheme}://{request.host}{request.root_path}".rstrip("/")
        return root + self.base_path + path


def preferred_status(header: str | None) -> str | None:
    """The ``code`` preference of a Prefer header (RFC 7240), as Prism reads it."""
    for preference in (header or "").split(","):
        name, _, value = preference.strip().partition("=")

        if name.strip().lower() == "code":
            return value.strip().strip('"')

    return None
