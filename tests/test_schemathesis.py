"""Schemathesis, as a library, runs every phase and check against the served mock.

The mock is served on 127.0.0.1 inside the test process: Schemathesis's own
WSGI transport cannot send its ignored-auth probes (it passes ``max_redirects``
to Werkzeug's test client, which Werkzeug 3 refuses), so the socket is the
honest way to exercise every check. A WSGI middleware in front of the mock
counts every request that really arrived and reads every response body, so
the request count is measured, not taken from the settings.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import schemathesis
from flask import Flask
from schemathesis.engine import Status, StopReason, events, from_schema
from werkzeug.test import Client

from mock_server import MockConfig, create_app
from mock_server.auth import DEFAULT_ADMIN_TOKEN
from mock_server.description import (
    CONTROL_DESCRIPTION_PATH,
    DESCRIPTION_PATH,
    load_description,
)
from mock_server.handlers import HANDLERS, Call, Reply, create_account
from tests.serving import served

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

pytestmark = pytest.mark.socket

PHASES = {"examples", "coverage", "fuzzing", "stateful"}
RESPONSE_CHECKS = {
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
}
MINIMUM_REQUESTS = 10_000
# How long the stateful phase runs depends on the string literals Hypothesis
# harvests from our own modules (its "local constants"), so any code change or
# a different set of imported modules moves it, by thousands of requests.
# The examples given here make the fuzzing phase alone reach the floor; its
# length follows from these settings.
FUZZING_EXAMPLES = 2400
STATEFUL_EXAMPLES = 900
# The control API refuses schema-valid faults and fixtures that make no sense
# (a status the operation does not document, ids that clash) with 400.
CONTROL_BUSINESS_RULES = [
    {
        "include-operation-id": ["addFault", "loadState"],
        "checks": {
            "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "404"]}
        },
    }
]
# The fuzz run takes three to four minutes on two busy cores; past the ceiling it
# is stopped and fails, rather than hold up the whole test run.
CEILING_SECONDS = float(os.environ.get("FUZZ_CEILING_SECONDS", "480"))
STACK_TRACE = re.compile(rb'Traceback \(most recent call last\)|File "[^"]*", line \d+')


@dataclass(frozen=True)
class Finding:
    phase: str
    operation: str
    check: str
    title: str


@dataclass
class Traffic:
    """What reached the served mock: requests per phase, statuses, stack traces."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    phase: str = "before"
    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    traced: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def summary(self) -> str:
        return (
            f"{self.total} requests; by phase {dict(self.requests)}; "
            f"statuses {dict(self.statuses)}"
        )

    def record(self, request_line: str, status: int, body: bytes) -> None:
        with self.lock:
            self.requests[self.phase] += 1
            self.statuses[status] += 1

            if STACK_TRACE.search(body):
                self.traced.append(request_line)


class TrafficCounter:
    """WSGI middleware noting each request and the body it was answered with."""

    def __init__(self, app: WSGIApplication, traffic: Traffic) -> None:
        self.app = app
        self.traffic = traffic

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        statuses: list[int] = []

        def recording_start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            statuses.append(int(status[:3]))
            return start_response(status, headers, exc_info)

        chunks = self.app(environ, recording_start_response)

        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)

            if close is not None:
                close()

        request_line = f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}"
        self.traffic.record(request_line, statuses[-1], body)
        return [body]


@dataclass
class Run:
    checks: Counter[str]
    findings: list[Finding]
    errors: list[str]
    phases: dict[str, str]
    traffic: Traffic
    stop_reason: StopReason | None = None
    seconds: float = 0.0


def business_rule_statuses(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Per-operation settings accepting the 400s our description documents.

    Unleash answers 400 to a schema-valid body that breaks a business rule (an
    unknown root role, a token expiry in the past); our description marks
    those 400s with `x-unleash-correction`. Schemathesis's positive-data check
    must not count them as rejections of valid data.
    """
    operation_ids = [
        operation["operationId"]
        for path_item in document["paths"].values()
        for key, operation in path_item.items()
        if key != "parameters"
        and "x-unleash-correction" in operation["responses"].get("400", {})
    ]
    statuses = ["2xx", "400", "401", "403", "404", "409"]

    if not operation_ids:
        return []

    return [
        {
            "include-operation-id": operation_ids,
            "checks": {"positive_data_acceptance": {"expected-statuses": statuses}},
        }
    ]


def run_schemathesis(
    app: Flask,
    max_examples: int,
    stateful_examples: int | None = None,
    ceiling_seconds: float = CEILING_SECONDS,
    document_path: Path = DESCRIPTION_PATH,
) -> Run:
    document = load_description(document_path)
    traffic = Traffic()
    app.wsgi_app = TrafficCounter(app.wsgi_app, traffic)  # type: ignore[method-assign]
    run = Run(checks=Counter(), findings=[], errors=[], phases={}, traffic=traffic)
    started = time.monotonic()

    with served(app) as base_url:
        config = schemathesis.Config.from_dict(
            {
                "base-url": base_url,
                "headers": {"Authorization": DEFAULT_ADMIN_TOKEN},
                "seed": 20261203,
                "generation": {"max-examples": max_examples, "database": "none"},
                "phases": {
                    "stateful": {
                        "generation": {
                            "max-examples": stateful_examples or max_examples
                        }
                    }
                },
                "operations": business_rule_statuses(document) + CONTROL_BUSINESS_RULES,
            }
        )
        schema = schemathesis.openapi.from_dict(document, config=config)
        stream = from_schema(schema).execute()
        ceiling = threading.Timer(ceiling_seconds, stream.stop)
        ceiling.start()

        try:
            for event in stream:
                _note(run, event)
        finally:
            ceiling.cancel()

    run.seconds = time.monotonic() - started
    return run


def _note(run: Run, event: events.EngineEvent) -> None:
    if isinstance(event, events.PhaseStarted):
        run.traffic.phase = event.phase.name.value
    elif isinstance(event, events.ScenarioFinished):
        for results in event.recorder.checks.values():
            for result in results:
                run.checks[result.name] += 1

                if result.status != Status.SUCCESS:
                    title = (
                        result.failure_info.failure.title if result.failure_info else ""
                    )
                    run.findings.append(
                        Finding(
                            event.phase.value,
                            event.recorder.label,
                            result.name,
                            title,
                        )
                    )
    elif isinstance(event, events.NonFatalError):
        run.errors.append(event.info.message)
    elif isinstance(event, events.FatalError):
        run.errors.append(repr(event.exception))
    elif isinstance(event, events.PhaseFinished):
        run.phases[event.phase.name.value] = event.status.value
    elif isinstance(event, events.EngineFinished):
        run.stop_reason = event.stop_reason


@pytest.mark.fuzz
def test_10000_schemathesis_requests_in_every_phase_find_nothing_wrong() -> None:
    app = create_app(MockConfig(response_violations="respond"))

    run = run_schemathesis(
        app, max_examples=FUZZING_EXAMPLES, stateful_examples=STATEFUL_EXAMPLES
    )

    traffic = run.traffic
    print(f"fuzz, {run.seconds:.0f} s: {traffic.summary()}")
    assert run.stop_reason == StopReason.COMPLETED, (
        f"stopped at the {CEILING_SECONDS:.0f} s ceiling after {traffic.total} requests"
    )
    assert traffic.total >= MINIMUM_REQUESTS
    assert {phase: run.phases.get(phase) for phase in PHASES} == dict.fromkeys(
        PHASES, "success"
    )
    assert all(traffic.requests[phase] > 0 for phase in PHASES)
    assert [status for status in traffic.statuses if status >= 500] == []
    assert traffic.traced == []
    assert run.errors == []
    assert run.findings == []
    assert set(run.checks) >= RESPONSE_CHECKS
    assert min(run.checks[check] for check in RESPONSE_CHECKS) >= MINIMUM_REQUESTS


@pytest.mark.fuzz
def test_schemathesis_finds_nothing_wrong_with_the_control_api() -> None:
    app = create_app(MockConfig(response_violations="respond"))

    # Enough examples for coverage and fuzzing alone to pass the floor below.
    run = run_schemathesis(
        app,
        max_examples=100,
        stateful_examples=30,
        document_path=CONTROL_DESCRIPTION_PATH,
    )

    traffic = run.traffic
    print(f"control fuzz, {run.seconds:.0f} s: {traffic.summary()}")
    assert run.stop_reason == StopReason.COMPLETED
    assert traffic.total >= 1500
    # The control description gives no examples, so that phase has nothing to do.
    assert {phase: run.phases.get(phase) for phase in PHASES} == {
        "examples": "skip",
        "coverage": "success",
        "fuzzing": "success",
        "stateful": "success",
    }
    assert [status for status in traffic.statuses if status >= 500] == []
    assert traffic.traced == []
    assert run.errors == []
    assert run.findings == []


def test_a_run_past_its_ceiling_stops_and_says_so() -> None:
    app = create_app(MockConfig(response_violations="respond"))

    run = run_schemathesis(app, max_examples=1000, ceiling_seconds=2)

    assert run.stop_reason == StopReason.INTERRUPTED
    assert run.seconds < 30


def test_schemathesis_catches_a_mock_answering_200_to_a_create(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def create_with_wrong_status(call: Call) -> Reply:
        reply = create_account(call)
        return Reply(200, reply.body, reply.headers)

    monkeypatch.setitem(HANDLERS, "createServiceAccount", create_with_wrong_status)
    app = create_app(MockConfig(response_violations="respond"))

    run = run_schemathesis(app, max_examples=5)

    assert run.traffic.statuses[500] > 0
    assert {
        (finding.operation, finding.check)
        for finding in run.findings
        if finding.phase == "examples"
    } == {
        # The mock's own response check turns the undocumented 200 into a 500
        # naming the violation, which Schemathesis then reports three ways.
        ("POST /api/admin/service-account", "not_a_server_error"),
        ("POST /api/admin/service-account", "positive_data_acceptance"),
        ("POST /api/admin/service-account", "status_code_conformance"),
    }


def test_the_traffic_counter_notes_a_body_carrying_a_stack_trace() -> None:
    def leaky_app(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        start_response("400 Bad Request", [("Content-Type", "text/plain")])
        return [b'Traceback (most recent call last):\n  File "app.py", line 3\n']

    traffic = Traffic()
    client = Client(TrafficCounter(leaky_app, traffic))

    client.get("/api/admin/service-account")

    assert traffic.traced == ["GET /api/admin/service-account"]
    assert traffic.statuses == Counter({400: 1})
