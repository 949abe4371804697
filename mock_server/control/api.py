"""The control API under /__mock/, described by ``openapi/mock-control.yaml``.

Each operation acts on the caller's session and is validated against its own
description exactly as the Unleash operations are; it needs no credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from flask import Response, request

from mock_server.contract import JSON, media_type, read_json
from mock_server.control import snapshots
from mock_server.control.faults import Faults
from mock_server.control.journal import Journal
from mock_server.errors import ApiError, ErrorKind
from mock_server.fixtures import (
    InvalidFixture,
    fixture_from_snapshot,
    snapshot_from_fixture,
)
from mock_server.gate import ContractGate, RequestCall, render
from mock_server.handlers import Reply
from mock_server.models import Snapshot
from mock_server.refusals import BadData, UnsupportedContentType
from mock_server.sessions import SESSION_HEADER, Sessions
from mock_server.store import InconsistentState, Store

# The control API's body limit, as its description documents it.
CONTROL_MAX_BODY_BYTES = 64 * 1024 * 1024


class UnloadableFixture(ApiError):
    def __init__(self, location: str, problem: str) -> None:
        super().__init__(
            ErrorKind.BAD_DATA,
            f"The fixture cannot be loaded: {problem}.",
            details=[{"path": "/body" + location, "message": problem}],
        )


class SessionNotFound(ApiError):
    def __init__(self, name: str) -> None:
        super().__init__(ErrorKind.NOT_FOUND, f"There is no session named {name!r}.")


@dataclass
class ControlCall:
    """What a control handler may use: the caller's session and the request.

    The session is looked up on first use only: the operations on sessions
    themselves act across sessions, and must neither create the caller's nor
    refuse a malformed session header they do not declare.
    """

    sessions: Sessions
    session_name: str | None
    path: Mapping[str, str]
    query: Mapping[str, str]
    body: Any

    @cached_property
    def store(self) -> Store:
        return self.sessions.store(self.session_name)


ControlHandler = Callable[[ControlCall], Reply]


class ControlPlane:
    """The handlers of the control API, one per operationId."""

    def __init__(self, sessions: Sessions, faults: Faults, journal: Journal) -> None:
        self.sessions = sessions
        self.faults = faults
        self.journal = journal
        self.handlers: dict[str, ControlHandler] = {
            "dumpState": self.dump_state,
            "loadState": self.load_state,
            "resetState": self.reset_state,
            "listSnapshots": self.list_snapshots,
            "saveSnapshot": self.save_snapshot,
            "restoreSnapshot": self.restore_snapshot,
            "deleteSnapshot": self.delete_snapshot,
            "readJournal": self.read_journal,
            "clearJournal": self.clear_journal,
            "listFaults": self.list_faults,
            "addFault": self.add_fault,
            "clearFaults": self.clear_faults,
            "deleteFault": self.delete_fault,
            "listSessions": self.list_sessions,
            "deleteSession": self.delete_session,
        }

    # State

    def dump_state(self, call: ControlCall) -> Reply:
        return Reply(200, fixture_from_snapshot(call.store.snapshot()))

    def load_state(self, call: ControlCall) -> Reply:
        try:
            snapshot = snapshot_from_fixture(call.body, call.store.clock(), "the body")
            call.store.restore(snapshot)
        except InvalidFixture as error:
            raise UnloadableFixture(error.location, error.problem) from None
        except InconsistentState as error:
            raise UnloadableFixture("", error.problem) from None

        return Reply(200, _state(call.store.session, snapshot))

    def reset_state(self, call: ControlCall) -> Reply:
        self.sessions.reset(call.store.session)
        return Reply(200, _state(call.store.session, self.sessions.seed))

    # Snapshots

    def list_snapshots(self, call: ControlCall) -> Reply:
        return Reply(200, {"snapshots": snapshots.listed(call.store)})

    def save_snapshot(self, call: ControlCall) -> Reply:
        return Reply(200, snapshots.save(call.store, call.path["name"]))

    def restore_snapshot(self, call: ControlCall) -> Reply:
        snapshot = snapshots.restore(call.store, call.path["name"])
        return Reply(200, _state(call.store.session, snapshot))

    def delete_snapshot(self, call: ControlCall) -> Reply:
        snapshots.delete(call.store, call.path["name"])
        return Reply(204)

    # Journal

    def read_journal(self, call: ControlCall) -> Reply:
        entries = self.journal.read(
            call.store.session,
            call.query.get("operation"),
            int(call.query.get("limit", "100")),
        )
        return Reply(200, {"entries": entries})

    def clear_journal(self, call: ControlCall) -> Reply:
        self.journal.clear(call.store.session)
        return Reply(204)

    # Faults

    def list_faults(self, call: ControlCall) -> Reply:
        return Reply(200, {"faults": self.faults.list(call.store.session)})

    def add_fault(self, call: ControlCall) -> Reply:
        return Reply(201, self.faults.add(call.store.session, call.body))

    def clear_faults(self, call: ControlCall) -> Reply:
        self.faults.clear(call.store.session)
        return Reply(204)

    def delete_fault(self, call: ControlCall) -> Reply:
        self.faults.delete(call.store.session, int(call.path["faultId"]))
        return Reply(204)

    # Sessions

    def list_sessions(self, call: ControlCall) -> Reply:
        return Reply(200, {"sessions": self.sessions.names()})

    def delete_session(self, call: ControlCall) -> Reply:
        if not self.sessions.delete(call.path["name"]):
            raise SessionNotFound(call.path["name"])

        return Reply(204)


@dataclass
class ControlEndpoint:
    """The Flask view of one control operation."""

    handler: ControlHandler
    gate: ContractGate
    sessions: Sessions

    def __call__(self, **path_arguments: str) -> Response:
        call: RequestCall | None = None
        # A fixture of thousands of accounts is far over the 100 kB Unleash
        # takes, and loading one is what this API is for.
        request.max_content_length = CONTROL_MAX_BODY_BYTES

        try:
            call = self.gate.call(path_arguments)
            response = self._answer(call, path_arguments)
        except ApiError as error:
            call = call or self.gate.call(path_arguments, with_body=False)
            response = error.to_response()

        return self.gate.checked(call, response)

    def _answer(self, call: RequestCall, path_arguments: dict[str, str]) -> Response:
        findings = self.gate.contract.check_request(call.for_openapi_core)
        has_body = self.gate.operation.has_body

        if has_body and (
            findings.media_type_unsupported
            or media_type(request.headers.get("Content-Type")) != JSON
        ):
            raise UnsupportedContentType(request.headers.get("Content-Type"))

        if findings.bad_data:
            raise BadData(findings.bad_data)

        body = read_json(call.body or b"null") if has_body else None
        reply = self.handler(
            ControlCall(
                self.sessions,
                request.headers.get(SESSION_HEADER),
                path_arguments,
                request.args.to_dict(),
                body,
            )
        )
        return render(reply)


def _state(session: str, snapshot: Snapshot) -> dict[str, Any]:
    return {"session": session, **snapshots.summary(snapshot)}
