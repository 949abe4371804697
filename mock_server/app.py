"""The app factory: one Flask app per mock, built from the description."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from mock_server.auth import Authenticator
from mock_server.config import MockConfig
from mock_server.contract import Contract
from mock_server.control.api import ControlEndpoint, ControlPlane
from mock_server.control.faults import Faults
from mock_server.control.journal import Journal
from mock_server.database import Database
from mock_server.description import (
    CONTROL_DESCRIPTION_PATH,
    Operation,
    load_description,
    operations_of,
)
from mock_server.docs import register_docs
from mock_server.errors import ApiError, ErrorKind, StartupError, echoed
from mock_server.fixtures import InvalidFixture, snapshot_from_fixture
from mock_server.gate import ContractGate
from mock_server.handlers import HANDLERS
from mock_server.models import Snapshot
from mock_server.pipeline import Endpoint
from mock_server.sessions import DEFAULT_SESSION, Sessions
from mock_server.store import InconsistentState, check_snapshot
from mock_server.wsgi import (
    ExpressPaths,
    HeaderLimit,
    RequestLog,
    loggable,
    path_text,
)

log = logging.getLogger("mock_server")

# Unleash's JSON body parser accepts at most 100 kB (Express's "100kb").
MAX_BODY_BYTES = 100 * 1024


def create_app(
    config: MockConfig | None = None, *, database: Database | None = None
) -> Flask:
    """Build a mock server app; raise ``StartupError`` if it cannot serve.

    Given a ``database``, the app serves the state already in it: that is how
    a reload swaps the description without losing the state.
    """
    config = config or MockConfig()
    document = load_description(config.description_path)
    operations = {op.operation_id: op for op in operations_of(document)}
    _check_handlers(set(operations))

    database = database or Database(config.state_file)
    sessions = Sessions(database, _seed_snapshot(config), config.clock)
    sessions.store(DEFAULT_SESSION)
    faults = Faults(database, operations)
    journal = Journal(database, config.journal_size)
    raise_on_violation = config.response_violations == "raise"

    app = Flask("mock_server")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    _route_doubled_slashes_nowhere(app)
    app.extensions["unleash_mock"] = sessions
    contract = Contract(document, config.base_path)
    authenticator = Authenticator(config.admin_tokens)

    for operation in operations.values():
        endpoint = Endpoint(
            operation=operation,
            handler=HANDLERS[operation.operation_id],
            gate=ContractGate(
                contract, operation, raise_on_violation, config.base_path
            ),
            authenticator=authenticator,
            sessions=sessions,
            faults=faults,
            journal=journal,
            base_path=config.base_path,
            clock=config.clock,
        )
        _route(app, config.base_path, operation, endpoint)

    control_document = load_description(CONTROL_DESCRIPTION_PATH)
    control_contract = Contract(control_document, config.base_path)
    plane = ControlPlane(sessions, faults, journal)

    for operation in operations_of(control_document):
        gate = ContractGate(
            control_contract, operation, raise_on_violation, config.base_path
        )
        handler = plane.handlers[operation.operation_id]
        _route(
            app,
            config.base_path,
            operation,
            ControlEndpoint(handler, gate, sessions),
        )

    register_docs(app, document, config)
    _register_error_handlers(app, catch_all=not raise_on_violation)
    CORS(
        app,
        origins=list(config.cors_origins),
        methods=["GET", "POST", "PUT", "DELETE"],
        expose_headers=["location"],
        max_age=600,
        # A request without an Origin header comes from no browser, and CORS
        # headers mean nothing to it (the Fetch standard's CORS protocol).
        always_send=False,
    )
    wrapped = RequestLog(HeaderLimit(ExpressPaths(app.wsgi_app)))
    app.wsgi_app = wrapped  # type: ignore[method-assign]
    return app


def _route(app: Flask, base_path: str, operation: Operation, view: Any) -> None:
    app.add_url_rule(
        base_path + operation.flask_rule,
        endpoint=operation.operation_id,
        view_func=view,
        methods=[operation.method],
    )


def _check_handlers(operation_ids: set[str]) -> None:
    missing = sorted(operation_ids - HANDLERS.keys())
    unused = sorted(HANDLERS.keys() - operation_ids)

    if missing:
        raise StartupError(
            f"The description declares operations with no handler: {missing}. "
            "Add a handler for each in mock_server/handlers.py."
        )

    if unused:
        raise StartupError(
            f"Handlers exist for operations the description lacks: {unused}. "
            "Check the operationIds in the description."
        )


def _seed_snapshot(config: MockConfig) -> Snapshot:
    """The state every new session starts from, checked before anything serves."""
    if config.seed is None:
        return Snapshot()

    try:
        snapshot = snapshot_from_fixture(
            config.seed, config.clock(), config.seed_source
        )
        check_snapshot(snapshot)
    except InvalidFixture as error:
        raise StartupError(f"Cannot load the seed: {error}") from None
    except InconsistentState as error:
        raise StartupError(
            f"Cannot load the seed {config.seed_source}: {error.problem}."
        ) from None

    return snapshot


def _route_doubled_slashes_nowhere(app: Flask) -> None:
    """Match no route for a doubled slash, as Express does (``ExpressPaths``).

    Inside a path, werkzeug would merge the two and answer with a redirect;
    at its start, its matcher drops them and would reach an operation.
    """
    app.url_map.merge_slashes = False

    @app.before_request
    def refuse_a_doubled_leading_slash() -> None:
        if request.environ.get("PATH_INFO", "").startswith("//"):
            raise NotFound()


def _requested_path() -> str:
    """The path as sent, doubled leading slashes kept (``request.path`` drops them)."""
    return request.root_path + path_text(request.environ.get("PATH_INFO", ""))


def _register_error_handlers(app: Flask, *, catch_all: bool) -> None:
    """Answer everything outside the operations in Unleash's error shape too.

    Without ``catch_all`` an unexpected exception propagates, so that a test
    fails on it instead of receiving a polite 500.
    """

    @app.errorhandler(NotFound)
    def not_found(_: NotFound) -> Response:
        return ApiError(
            ErrorKind.NOT_FOUND,
            f"The path you were looking for ({echoed(_requested_path())}) is not "
            "available.",
        ).to_response()

    @app.errorhandler(MethodNotAllowed)
    def method_not_allowed(error: MethodNotAllowed) -> Response:
        allowed = ", ".join(sorted(error.valid_methods or ()))
        return ApiError(
            ErrorKind.METHOD_NOT_ALLOWED,
            f"{request.method} is not allowed on {echoed(_requested_path())}. "
            f"Use {allowed}.",
            headers={"Allow": allowed},
        ).to_response()

    @app.errorhandler(HTTPException)
    def other_http_error(error: HTTPException) -> Response:
        status = error.code or 500
        kind = ErrorKind.BAD_DATA if status < 500 else ErrorKind.INTERNAL
        response = ApiError(kind, error.description or kind.unleash_name).to_response()
        response.status_code = status
        return response

    if not catch_all:
        app.config["PROPAGATE_EXCEPTIONS"] = True
        return

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        # A bug in the mock. The log names it without a stack trace, which
        # could echo request data; the client learns nothing internal.
        log.error(
            "%s %s failed: %s",
            request.method,
            loggable(request.path),
            type(error).__name__,
        )
        return ApiError(
            ErrorKind.INTERNAL, "The mock failed to handle this request."
        ).to_response()
