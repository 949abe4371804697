"""The WSGI server: waitress, serving on its loop thread, refusing in Unleash's shape.

Some requests never reach the app: waitress refuses a request line that is
not ASCII (raw UTF-8 bytes in a path), a header line with a bare CR, a broken
chunked body and the like, and answers with a plain-text page of its own. A
client of the mock expects every error in one JSON shape, so the error task
that writes those answers is replaced with one that writes the shape.

Requests run on the loop thread itself unless a delay fault could make one
sleep (``threads.py``), so this module also runs the loop: waitress's own
``run`` would leave the requests it reads waiting.
"""

from __future__ import annotations

import gc
import logging
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server
from waitress.task import ErrorTask, ThreadedTaskDispatcher, WSGITask

from mock_server.errors import ApiError, ErrorKind, echoed
from mock_server.threads import (
    DEFAULT_THREADS,
    ROUND_END_KEY,
    SLEEP_KEY,
    LoopDispatcher,
)
from mock_server.wsgi import log_request

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment
    from waitress.adjustments import _AdjustmentsParams
    from waitress.parser import HTTPRequestParser
    from waitress.wasyncore import _SocketMap

IDENT = "unleash-mock"

# Python's sqlite3 lets go of the GIL for every step of every statement. With
# the default 5 ms switch interval, a thread coming back from SQLite waits up to
# that long behind another thread's Python; at 0.5 ms the mock served about a
# fifth more requests a second under load while requests went to a worker
# thread (benchmarks/http_load.py), as they still do for delay faults.
SWITCH_INTERVAL_SECONDS = 0.0005

# How long the loop waits for a socket to be ready when nothing else is due,
# and so the longest a stop asked for by a signal waits to be noticed.
POLL_SECONDS = 0.2

# The signals that stop a server politely. SIGHUP comes with a closed terminal.
STOP_SIGNALS = tuple(
    getattr(signal, name)
    for name in ("SIGTERM", "SIGINT", "SIGHUP")
    if hasattr(signal, name)
)

# A response is written out by the loop thread that produced it, so waiting
# for the loop to drain a full buffer would wait forever: the buffer (which
# spills to a temporary file past 1 MB) is never full. And a response is sent
# only by the loop, between rounds of requests, never while a request writes
# it: what a round puts off to its end (threads.py) is done by then.
UNBOUNDED_BUFFER_BYTES = 2**62

# waitress's own default for the connections the kernel queues.
BACKLOG = 1024

# How long a stopping server goes on sending the responses it has answered.
SEND_AT_STOP_SECONDS = 1.0

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
        # The refusal may come before the request line was read, and then
        # neither its method nor its path is known. For headers past its limit
        # waitress stands in "GET /" for the request line, which is not the
        # request's.
        parser = self.request
        known = error.code != 431
        log_request(
            getattr(parser, "command", "") if known else "",
            getattr(parser, "path", "") if known else "",
            str(error.code),
            None,
        )


class StandInTask(WSGITask):
    """A request that can sleep with a stand-in thread serving in its place."""

    def get_environment(self) -> WSGIEnvironment:
        environ = super().get_environment()
        dispatcher = self.channel.server.task_dispatcher

        if isinstance(dispatcher, LoopDispatcher):
            environ[SLEEP_KEY] = dispatcher.sleep

            if dispatcher.serving_inline:
                environ[ROUND_END_KEY] = dispatcher.at_round_end

        return environ


class UnleashChannel(HTTPChannel):
    task_class = StandInTask
    error_task_class = UnleashErrorTask

    def send_continue(self) -> None:
        """Queue ``100 Continue`` for a request that waits for it, unsent.

        waitress sends it at once, and with it whatever the connection's
        buffer holds: the response to the request before, whose round may
        not have ended. The loop sends both, between rounds.
        """
        continue_line = b"HTTP/1.1 100 Continue\r\n\r\n"
        # waitress asks only while it reads a request that expects it.
        assert self.request is not None

        with self.outbuf_lock:
            self.outbufs[-1].append(continue_line)
            self.current_outbuf_count += len(continue_line)
            self.total_outbufs_len += len(continue_line)
            self.sent_continue = True

        self.request.expect_continue = False
        self.request.completed = False
        self.server.pull_trigger()


@dataclass
class MockServer:
    """waitress's server, with the loop that serves requests on its own thread."""

    waitress: MultiSocketServer | BaseWSGIServer
    channels: _SocketMap
    dispatcher: LoopDispatcher

    def serve(self, *, freeze: bool = True) -> None:
        """Run until SIGTERM or Ctrl-C, answering the request in flight first.

        ``freeze`` takes what was built before serving out of the garbage
        collector's walks; a server that drops old builds, as a reloading one
        does, must not ask for it.
        """
        # A polite stop lets the request being served finish, and its log
        # line with it. A server forked with these signals blocked
        # (processes.py) takes them from here on.
        for stop_signal in STOP_SIGNALS:
            signal.signal(stop_signal, lambda *_: self.stop_soon())

        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

        sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
        # waitress warns whenever requests queue for a worker thread; while a
        # delay fault sends them there, one thread serves by design
        # (threads.py), so a queue under load is no news.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)

        if freeze:
            freeze_start_up_objects()

        try:
            while not self.dispatcher.stop_requested:
                self.poll_once(POLL_SECONDS)
        finally:
            # Worker threads finish their requests first; only then is every
            # answered response in a buffer, for the loop to send.
            self.dispatcher.shutdown()
            self._stop_listening()
            self._send_what_is_answered()

    def poll_once(self, seconds: float) -> None:
        """Read and write what the sockets allow, then serve the requests read."""
        # A request already read is not kept waiting for a socket to be ready.
        timeout = 0.0 if self.dispatcher.has_waiting else seconds
        wasyncore.loop(timeout=timeout, map=self.channels, use_poll=True, count=1)
        self.dispatcher.run_waiting()

    def _stop_listening(self) -> None:
        # A connection taken now would be closed unanswered.
        for listener in list(self.channels.values()):
            if isinstance(listener, BaseWSGIServer):
                listener.close()

    def _send_what_is_answered(self) -> None:
        """Send the responses of the last round, which only the loop sends."""
        deadline = time.monotonic() + SEND_AT_STOP_SECONDS

        while time.monotonic() < deadline and any(
            isinstance(channel, HTTPChannel) and channel.total_outbufs_len
            for channel in self.channels.values()
        ):
            wasyncore.loop(timeout=0.05, map=self.channels, use_poll=True, count=1)

    def stop_soon(self) -> None:
        """Stop ``serve`` once the request being served, if any, is answered."""
        self.dispatcher.stop()

    def close(self) -> None:
        """Stop the worker threads and close every socket; for a test's server."""
        self.dispatcher.shutdown()

        # A connection that sent a large response keeps the temporary file its
        # output buffer spilled to; only a channel's own close lets it go.
        for channel in list(self.channels.values()):
            if isinstance(channel, HTTPChannel):
                channel.handle_close()

        wasyncore.close_all(self.channels)


def freeze_start_up_objects() -> None:
    """Take everything built so far out of the garbage collector's walks.

    The description, its validators and the seed live as long as the server.
    Each full collection walked all of them: 20 to 30 ms, during which every
    request waited. Frozen, they are no longer walked, so a process forked
    from this one does not copy every page they sit on at its first
    collection (their reference counts still change, and copy some). Garbage
    is collected first, so that none is frozen with them.
    """
    gc.collect()
    gc.freeze()


def listening_sockets(host: str, port: int) -> list[socket.socket]:
    """Sockets listening on ``port`` at every address ``host`` names.

    Bound here rather than by waitress, so that forked server processes can
    share them (``processes.py``), and so that a failure to bind leaves no
    socket open behind it and says plainly why.
    """
    listeners: list[socket.socket] = []
    # As waitress reads a host: "*" is every address of the machine.
    found = socket.getaddrinfo(
        None if host == "*" else host,
        port,
        type=socket.SOCK_STREAM,
        flags=socket.AI_PASSIVE,
    )

    try:
        for family, address in sorted({(info[0], info[4]) for info in found}, key=str):
            listener = socket.socket(family, socket.SOCK_STREAM)
            listeners.append(listener)
            # As waitress binds: a restart may reuse a port whose last
            # connections are still closing, and an IPv6 socket takes IPv6
            # alone, so that "::" and "0.0.0.0" can both be bound.
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)

            if family == socket.AF_INET6:
                listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)

            listener.bind(address)
            listener.listen(BACKLOG)
    except OSError:
        for listener in listeners:
            listener.close()

        raise

    return listeners


def create_mock_server(
    app: WSGIApplication,
    sleeps_possible: Callable[[], bool],
    threads: int = DEFAULT_THREADS,
    **adjustments: _AdjustmentsParams,
) -> MockServer:
    """A waitress server for ``app`` whose own refusals take Unleash's shape.

    ``sleeps_possible`` says whether a request could sleep now, for a delay
    fault: while it could, requests go to ``threads`` worker threads
    (``threads.py``). ``adjustments`` are waitress's other settings
    (``host``, ``port``...).
    """
    adjustments.setdefault("ident", IDENT)
    adjustments.setdefault("outbuf_high_watermark", UNBOUNDED_BUFFER_BYTES)
    channels: _SocketMap = {}
    dispatcher = LoopDispatcher(sleeps_possible, threads)
    # waitress asks a dispatcher for add_task and shutdown only; its stubs name
    # the one class of its own that has them.
    server = create_server(
        app,
        channels,
        _dispatcher=cast("ThreadedTaskDispatcher", dispatcher),
        **adjustments,
    )
    # Set here, not passed in: waitress warns that the setting may go. Its
    # channels send a response as it is written once it holds this many bytes.
    server.adj.send_bytes = UNBOUNDED_BUFFER_BYTES
    listeners = (
        [server] if isinstance(server, BaseWSGIServer) else (server.map or {}).values()
    )

    # Channels are made per connection once the server runs, so setting the
    # class on each listening socket before `run` covers every connection.
    for listener in listeners:
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = UnleashChannel

    return MockServer(server, channels, dispatcher)
