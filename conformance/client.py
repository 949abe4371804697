"""The suite's HTTP client: one place that sends, records and reproduces.

Every request the suite's own checks send goes through ``ApiClient``, which
counts it, keeps the ledger of created records up to date, hands the exchange
to the response checks, and can render it as a curl command with the token
written as ``$UNLEASH_TOKEN``.
"""

from __future__ import annotations

import itertools
import json
import shlex
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import requests

from conformance.instants import from_now, has_passed
from conformance.operations import identify
from conformance.redaction import TOKEN_VARIABLE, Redactor

JSON = "application/json"

# Unleash's web UI sends these on every call, DELETEs included.
UI_HEADERS = {"Accept": JSON, "Content-Type": JSON}

# The creates, by the body key that names what they create.
_NAMED_CREATES = {
    "createServiceAccount": "username",
    "createServiceAccountToken": "description",
}


class ServerUnreachable(Exception):
    """The server did not answer: refused, reset, timed out or garbled."""

    def __init__(self, url: str, reason: str, method: str = "GET") -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.method = method


@dataclass
class Exchange:
    """One request and the response it got, as the checks see them."""

    method: str
    url: str
    path: str
    request_headers: dict[str, str]
    request_body: bytes | None
    status: int
    response_headers: Mapping[str, str]
    text: str
    operation_id: str = ""
    path_ids: dict[str, str] = field(default_factory=dict)

    @property
    def media_type(self) -> str:
        header = self.response_headers.get("Content-Type", "")
        return header.split(";", 1)[0].strip().lower()

    def json_request(self) -> dict[str, Any]:
        """The request body as a JSON object, or empty when it was none."""
        try:
            value = json.loads(self.request_body or b"{}")
        except ValueError:
            return {}

        return value if isinstance(value, dict) else {}

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it is empty or not JSON."""
        try:
            return json.loads(self.text) if self.text else None
        except ValueError:
            return None


Observer = Callable[[Exchange], None]


def curl_command(exchange: Exchange, redact: Redactor) -> str:
    """A shell command that sends the same request, secrets left out."""
    parts = ["curl", "-i", "-X", exchange.method, shlex.quote(exchange.url)]

    for name, value in exchange.request_headers.items():
        header = redact(f"{name}: {value}")
        # Double quotes, so that the shell expands $UNLEASH_TOKEN.
        quoted = (
            f'"{header}"'
            if TOKEN_VARIABLE in header and '"' not in header
            else shlex.quote(header)
        )
        parts += ["-H", quoted]

    if exchange.request_body:
        body = exchange.request_body.decode("utf-8", "replace")
        parts += ["--data-raw", shlex.quote(redact(body))]

    return " ".join(parts)


class ThreadSessions:
    """A ``requests.Session`` per thread, all closed together.

    requests makes no promise for a session shared by threads, and with
    ``--workers`` Schemathesis's threads confirm findings through one client at
    once; a session per thread keeps each connection pool to one thread.
    """

    def __init__(self) -> None:
        self._local = threading.local()
        self._opened: list[requests.Session] = []
        self._lock = threading.Lock()

    def current(self) -> requests.Session:
        """The calling thread's session, opened on its first request."""
        session: requests.Session | None = getattr(self._local, "session", None)

        if session is None:
            session = requests.Session()
            self._local.session = session

            with self._lock:
                self._opened.append(session)

        return session

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []

        for session in opened:
            session.close()


class ApiClient:
    """Sends requests to one server with the run's token and timeout."""

    def __init__(
        self, api_root: str, token: str, timeout: float, prefix: str = ""
    ) -> None:
        self.api_root = api_root.rstrip("/")
        self.token = token
        self.timeout = timeout
        # The run's prefix, which the names of resent creates keep.
        self.prefix = prefix
        self._resent = itertools.count(1)
        # Recorders see every exchange; checkers all but confirmations, which
        # the check that asked for them judges itself.
        self.recorders: list[Observer] = []
        self.checkers: list[Observer] = []
        self._sessions = ThreadSessions()

    def send(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        raw: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        token: str | None = "",
        checked: bool = True,
        ui_headers: bool = True,
    ) -> Exchange:
        """Send a request; ``token=""`` uses the run's token, None sends none.

        ``body`` is sent as JSON with the web UI's headers unless ``raw`` or
        ``headers`` say otherwise; ``ui_headers=False`` sends only ``headers``.
        """
        sent = dict(UI_HEADERS) if ui_headers else {}
        sent.update(headers or {})
        credential = self.token if token == "" else token

        if credential is not None:
            sent["Authorization"] = credential

        payload = raw

        if payload is None and body is not None:
            payload = json.dumps(body).encode()

        url = self.api_root + path

        try:
            response = self._sessions.current().request(
                method,
                url,
                data=payload,
                headers=sent,
                timeout=self.timeout,
                allow_redirects=False,
            )
            text = response.text
        except requests.RequestException as error:
            raise ServerUnreachable(url, _reason(error), method) from None

        operation_id, path_ids = identify(method, path)
        exchange = Exchange(
            method=method,
            url=url,
            path=path,
            request_headers=sent,
            request_body=payload,
            status=response.status_code,
            response_headers=response.headers,
            text=text,
            operation_id=operation_id,
            path_ids=path_ids,
        )

        for observer in self.recorders + (self.checkers if checked else []):
            observer(exchange)

        return exchange

    def resend(self, exchange: Exchange) -> Exchange:
        """The same request once more, as a confirmation of what it showed.

        The headers are the ones recorded, exactly. A create that succeeded
        goes out under a fresh name: the same name again would meet the
        duplicate rule and answer 409, which confirms nothing. For the same
        reason, an expiry that has passed since it succeeded is moved a day
        ahead: the same one again would be refused as not in the future.
        """
        return self.send(
            exchange.method,
            exchange.path,
            raw=self._renewed(exchange),
            headers=exchange.request_headers,
            token=exchange.request_headers.get("Authorization"),
            checked=False,
            ui_headers=False,
        )

    def _renewed(self, exchange: Exchange) -> bytes | None:
        created = 200 <= exchange.status < 300
        key = _NAMED_CREATES.get(exchange.operation_id) if created else None
        body = exchange.json_request() if key else {}
        name = body.get(key) if key else None

        if not isinstance(name, str):
            return exchange.request_body

        if not name.startswith(self.prefix):
            name = self.prefix + name

        body[str(key)] = f"{name}-again-{next(self._resent)}"

        if has_passed(body.get("expiresAt")):
            body["expiresAt"] = from_now(timedelta(days=1))

        return json.dumps(body).encode()

    def close(self) -> None:
        self._sessions.close()


def _reason(error: requests.RequestException) -> str:
    if isinstance(error, requests.Timeout):
        return "no answer within the request timeout"

    if isinstance(error, requests.ConnectionError):
        return "connection refused or dropped"

    return f"the response could not be read ({type(error).__name__})"
