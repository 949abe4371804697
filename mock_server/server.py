"""The WSGI server: waitress, answering its own refusals in Unleash's error shape.

Some requests never reach the app: waitress refuses a request line that is
not ASCII (raw UTF-8 bytes in a path), a header line with a bare CR, a broken
chunked body and the like, and answers with a plain-text page of its own. A
client of the mock expects every error in one JSON shape, so the error task
that writes those answers is replaced with one that writes the shape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server
from waitress.task import ErrorTask, WSGITask

from mock_server.errors import ApiError, ErrorKind, echoed
from mock_server.threads import DEFAULT_THREADS, SLEEP_KEY, StandInDispatcher

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment
    from waitress.adjustments import _AdjustmentsParams
    from waitress.parser import HTTPRequestParser
    from waitress.wasyncore import _SocketMap

IDENT = "unleash-mock"

_KINDS = {
    kind.status: kind
    for kind in (
        ErrorKind.BAD_DATA,
        ErrorKind.PAYLOAD_TOO_LARGE,
        ErrorKind.HEADERS_TOO_LARGE,
        ErrorKind.NOT_IMPLEMENTED,
        ErrorKind.INTERNAL,
    )
}


class UnleashErrorTask(ErrorTask):
    """Writes waitress's own refusal of a request as an Unleash error body."""

    def execute(self) -> None:
        # types-waitress types the task's request as the error itself; waitress
        # hands over the request parser, whose `error` holds the refusal.
        error = cast("HTTPRequestParser", self.request).error
        assert error is not None
        kind = _KINDS.get(error.code, ErrorKind.BAD_DATA)
        # The reason may quote a header line, so it is echoed like any input;
        # a failure of the app itself is told in the app's own words.
        message = (
            "The mock failed to handle this request."
            if error.code >= 500
            else f"The server could not read the request: {echoed(error.body)}. "
            "Send well-formed HTTP/1.1, with anything that is not ASCII in the URL "
            "percent-encoded."
        )
        body = ApiError(kind, message).to_response().get_data()
        self.status = f"{error.code} {error.reason}"
        self.response_headers = [("Content-Type", "application/json")]
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class StandInTask(WSGITask):
    """A request that can sleep with a stand-in thread serving in its place."""

    def get_environment(self) -> WSGIEnvironment:
        environ = super().get_environment()
        dispatcher = self.channel.server.task_dispatcher

        if isinstance(dispatcher, StandInDispatcher):
            environ[SLEEP_KEY] = dispatcher.sleep

        return environ


class UnleashChannel(HTTPChannel):
    task_class = StandInTask
    error_task_class = UnleashErrorTask


def create_mock_server(
    app: WSGIApplication,
    channels: _SocketMap | None = None,
    threads: int = DEFAULT_THREADS,
    **adjustments: _AdjustmentsParams,
) -> MultiSocketServer | BaseWSGIServer:
    """A waitress server for ``app`` whose own refusals take Unleash's shape.

    ``channels`` is waitress's socket map; ``threads`` how many worker
    threads serve when no request sleeps (``threads.py``); ``adjustments``
    are waitress's other settings (``host``, ``port``...).
    """
    adjustments.setdefault("ident", IDENT)
    server = create_server(
        app, channels, _dispatcher=StandInDispatcher(threads), **adjustments
    )
    listeners = (
        [server] if isinstance(server, BaseWSGIServer) else (server.map or {}).values()
    )

    # Channels are made per connection once the server runs, so setting the
    # class on each listening socket before `run` covers every connection.
    for listener in listeners:
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = UnleashChannel

    return server
