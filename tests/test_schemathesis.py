"""Schemathesis, as a library, runs every phase and check against the served mock.

The mock is served on 127.0.0.1 inside the test process: Schemathesis's own
WSGI transport cannot send its ignored-auth probes (it passes ``max_redirects``
to Werkzeug's test client, which Werkzeug 3 refuses), so the socket is the
honest way to exercise every check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from flask import Flask
from schemathesis.engine import Status, events, from_schema

from mock_server import MockConfig, create_app
from mock_server.auth import DEFAULT_ADMIN_TOKEN
from mock_server.description import load_description
from mock_server.handlers import HANDLERS, Call, Reply, create_account
from tests.serving import served

pytestmark = pytest.mark.socket

PHASES = {"examples", "coverage", "fuzzing", "stateful"}


@dataclass(frozen=True)
class Finding:
    phase: str
    operation: str
    check: str
    title: str


@dataclass
class Run:
    checks: int
    findings: list[Finding]
    errors: list[str]
    phases: dict[str, str]


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
        for operation in path_item.values()
        if "x-unleash-correction" in operation["responses"].get("400", {})
    ]
    statuses = ["2xx", "400", "401", "403", "404", "409"]
    return [
        {
            "include-operation-id": operation_ids,
            "checks": {"positive_data_acceptance": {"expected-statuses": statuses}},
        }
    ]


def run_schemathesis(app: Flask, max_examples: int) -> Run:
    document = load_description()

    with served(app) as base_url:
        config = schemathesis.Config.from_dict(
            {
                "base-url": base_url,
                "headers": {"Authorization": DEFAULT_ADMIN_TOKEN},
                "seed": 20261203,
                "generation": {"max-examples": max_examples, "database": "none"},
                "operations": business_rule_statuses(document),
            }
        )
        schema = schemathesis.openapi.from_dict(document, config=config)
        run = Run(checks=0, findings=[], errors=[], phases={})

        for event in from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished):
                for results in event.recorder.checks.values():
                    for result in results:
                        run.checks += 1

                        if result.status != Status.SUCCESS:
                            title = (
                                result.failure_info.failure.title
                                if result.failure_info
                                else ""
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

    return run


def test_schemathesis_finds_nothing_wrong_with_the_mock() -> None:
    app = create_app(MockConfig(response_violations="respond"))

    run = run_schemathesis(app, max_examples=30)

    assert run.errors == []
    assert run.findings == []
    assert {phase: run.phases.get(phase) for phase in PHASES} == dict.fromkeys(
        PHASES, "success"
    )
    assert run.checks > 1000


def test_schemathesis_catches_a_mock_answering_200_to_a_create(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def create_with_wrong_status(call: Call) -> Reply:
        reply = create_account(call)
        return Reply(200, reply.body, reply.headers)

    monkeypatch.setitem(HANDLERS, "createServiceAccount", create_with_wrong_status)
    app = create_app(MockConfig(response_violations="respond"))

    run = run_schemathesis(app, max_examples=5)

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
