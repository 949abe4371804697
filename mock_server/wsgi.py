"""WSGI middleware around the Flask app: header limit, paths, the request log."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote_to_bytes, urlsplit

from mock_server.errors import ApiError, ErrorKind
from mock_server.redaction import redacted

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("mock_server.requests")


# Node's HTTP parser, which Unleash runs on, refuses more than 16 KiB of
# request headers with 431 (Node's --max-http-header-size default).
MAX_HEADER_BYTES = 16 * 1024


def loggable(path: str) -> str:
    """A request path as a log line shows it.

    Percent-encoding keeps a hostile path from forging log lines, and a token
    a caller put in the path stays out of the log.
    """
    return quote(redacted(path), safe="/:@!$&'()*+,;=-._~<>")


def log_request(
    method: str, wsgi_path: str, status: str, duration_ms: float | None
) -> None:
    """The request log's one line for a request; "-" for what is not known.

    ``wsgi_path`` is the path as WSGI holds it (``path_text``).
    """
    log.info(
        "%s %s %s %s",
        method or "-",
        loggable(path_text(wsgi_path)) if wsgi_path else "-",
        status,
        "-" if duration_ms is None else f"{duration_ms:.1f}ms",
    )


def path_text(wsgi_string: str) -> str:
    """A WSGI path string as the text it spells.

    WSGI hands paths over as their raw bytes held in Latin-1, so ``/%D9%A2``
    arrives as two Latin-1 characters; decoded as UTF-8 it is the one
    character the client sent, and the log shows it percent-encoded as sent.
    """
    return wsgi_string.encode("latin-1").decode("utf-8", "replace")


class HeaderLimit:
    """Answers 431 in Unleash's error shape when the request headers are too big.

    The WSGI server keeps its own, larger guard against abuse; below it, the
    mock refuses at the same size the real server does.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        size = sum(
            len(key) - len("HTTP_") + len(str(value)) + 4
            for key, value in environ.items()
            if key.startswith("HTTP_")
        )

        if size <= MAX_HEADER_BYTES:
            return self.app(environ, start_response)

        refusal = ApiError(
            ErrorKind.HEADERS_TOO_LARGE,
            f"The request headers take {size} bytes; the server accepts at most "
            f"{MAX_HEADER_BYTES}.",
        )
        return refusal.to_response()(environ, start_response)


class ExpressPaths:
    """Routes a path the way Express, which Unleash runs on, reads it.

    Three things differ from werkzeug's defaults. One trailing slash is
    dropped (Express's non-strict routing). An encoded slash stays part of the
    segment it was sent in, so ``/service-account/2%2F`` names the account
    ``2/``, which does not exist, rather than account 2: WSGI servers decode
    ``%2F`` in ``PATH_INFO``, and only the request URI keeps it. Doubled
    slashes match no route: ``create_app`` turns werkzeug's merging off, and
    refuses a path that starts with two, which werkzeug's matcher would route
    as if it started with one.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        sent = _sent_path(environ)

        # waitress decodes the path and drops doubled leading slashes; rebuilt
        # from the request line, the path keeps both.
        if sent is not None and (sent.startswith("//") or _ENCODED_SLASH.search(sent)):
            path = "%2F".join(
                unquote_to_bytes(piece).decode("latin-1")
                for piece in _ENCODED_SLASH.split(sent)
            )

        if len(path) > 1 and path.endswith("/"):
            path = path[:-1]

        environ["PATH_INFO"] = path
        return self.app(environ, start_response)


_ENCODED_SLASH = re.compile("%2F", re.IGNORECASE)


def _sent_path(environ: WSGIEnvironment) -> str | None:
    """The path as the request line spelled it, when it can be told.

    waitress and werkzeug both give the request URI, query and all; it may be
    in absolute form. Under a mount point (``SCRIPT_NAME``) it is not used.
    """
    uri = environ.get("REQUEST_URI")

    if not isinstance(uri, str) or environ.get("SCRIPT_NAME"):
        return None

    path = uri.partition("?")[0]
    return path if path.startswith("/") else urlsplit(path).path


class RequestLog:
    """Logs one INFO line per request: method, path, status and duration.

    Only the path is logged: query strings and headers may carry tokens.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        started = time.perf_counter()
        status = ["-"]

        def recording_start_response(
            status_line: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            status[0] = status_line.split(" ", 1)[0]
            return start_response(status_line, headers, exc_info)

        body = self.app(environ, recording_start_response)
        return _Logged(body, environ, status, started)


class _Logged:
    """The response body, logging its request once the server has sent it."""

    def __init__(
        self,
        body: Iterable[bytes],
        environ: WSGIEnvironment,
        status: list[str],
        started: float,
    ) -> None:
        self.body = body
        self.environ = environ
        self.status = status
        self.started = started

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.body)

    def close(self) -> None:
        close = getattr(self.body, "close", None)

        if close is not None:
            close()

        duration = (time.perf_counter() - self.started) * 1000
        log_request(
            self.environ.get("REQUEST_METHOD", "-"),
            self.environ.get("SCRIPT_NAME", "") + self.environ.get("PATH_INFO", ""),
            self.status[0],
            duration,
        )
