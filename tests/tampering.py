"""WSGI middleware that makes a served mock answer the way a faulty server would.

The mock checks each of its responses against the description and answers 500
in place of one that breaks it. A fault that breaks the contract therefore has
to be put in outside that check: ``tamper`` wraps ``app.wsgi_app``, sees every
API request on its way in and every response on its way out, and may answer in
the mock's place or rewrite what the mock said.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from flask import Flask
from werkzeug.datastructures import Headers
from werkzeug.wrappers import Request

from conformance.operations import identify

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

JSON = "application/json"


@dataclass
class Answer:
    """A response held back from the client while a fault rewrites it."""

    status: int
    headers: Headers
    body: bytes

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it is empty or not JSON."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    @json.setter
    def json(self, value: Any) -> None:
        self.body = json.dumps(value, separators=(",", ":")).encode()

    @property
    def status_line(self) -> str:
        return f"{self.status} {HTTPStatus(self.status).phrase}"


def unleash_error(status: int, name: str, message: str, **extra: Any) -> Answer:
    """An answer in Unleash's error shape, for a fault that answers itself."""
    answer = Answer(status, Headers({"Content-Type": JSON}), b"")
    answer.json = {
        "id": str(uuid.uuid4()),
        "name": name,
        "message": message,
        "details": [{"message": message}],
        **extra,
    }
    return answer


def operation_of(request: Request) -> str:
    """The operationId a request calls, or "" when it calls none of the seven."""
    return identify(request.method, request.path)[0]


# A fault sees a request first; it may answer in the mock's place, or return
# None and let the mock answer (after changing request.environ, if it wants).
Before = Callable[[Request], Answer | None]
# Then it may rewrite the mock's answer in place.
After = Callable[[Request, Answer], None]


class Tampering:
    """Runs the faults of one defect around the mock, on API paths only."""

    def __init__(
        self, app: WSGIApplication, before: Before | None, after: After | None
    ) -> None:
        self.app = app
        self.before = before
        self.after = after

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        if not environ.get("PATH_INFO", "").startswith("/api/"):
            return self.app(environ, start_response)

        # The body is read once here, then offered again to the mock.
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        request = Request(environ)
        request.get_data(cache=True)
        environ["wsgi.input"] = io.BytesIO(body)
        answer = self.before(request) if self.before else None

        if answer is None:
            answer = _answer_of(self.app, environ)

            if self.after:
                self.after(request, answer)

        if answer.body or "Content-Length" in answer.headers:
            answer.headers["Content-Length"] = str(len(answer.body))

        start_response(answer.status_line, list(answer.headers.items()))
        return [answer.body]


def tamper(
    app: Flask, *, before: Before | None = None, after: After | None = None
) -> None:
    """Put a fault around the app's WSGI callable, outside the contract check."""
    app.wsgi_app = Tampering(app.wsgi_app, before, after)  # type: ignore[method-assign]


def _answer_of(app: WSGIApplication, environ: WSGIEnvironment) -> Answer:
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], object]:
        started.append((status, headers))
        return lambda _: None

    chunks = app(environ, start_response)

    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)

        if close is not None:
            close()

    status, headers = started[-1]
    return Answer(int(status.split(" ", 1)[0]), Headers(headers), body)
