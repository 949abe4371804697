"""Whole runs of the suite against the mock: clean, safe, crash-proof and fair."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from werkzeug.wrappers import Request

from conformance import fuzzing, runner
from conformance.findings import ExitCode, RunResult
from conformance.operations import identify
from conformance.response_checks import check_response
from conformance.runner import run_suite
from conformance.scenarios import CHECKS, SCENARIOS, Scenario, World, access
from conformance.settings import RUN_PREFIX, Profile, RunSettings
from mock_server import MockConfig, create_app
from mock_server.auth import DEFAULT_ADMIN_TOKEN
from mock_server.sessions import DEFAULT_SESSION
from tests.serving import served
from tests.tampering import Answer, tamper, unleash_error

pytestmark = pytest.mark.socket

# Records of somebody else's: a person, accounts with live, used and expired
# tokens, and what another conformance run left behind.
FOREIGN_STATE = {
    "users": [{"id": 1, "username": "admin", "name": "Admin"}],
    "serviceAccounts": [
        {
            "id": 5,
            "username": "ci-pipeline",
            "name": "CI pipeline",
            "rootRole": 1,
            "createdAt": "2026-01-12T09:30:00.000Z",
            "tokens": [
                {
                    "id": 3,
                    "description": "GitHub Actions",
                    "createdAt": "2026-01-12T09:31:00.000Z",
                    "expiresAt": "3026-01-12T09:31:00.000Z",
                    "seenAt": "2026-11-30T17:02:11.000Z",
                },
                {
                    "id": 4,
                    "description": "Expired export",
                    "createdAt": "2025-03-02T14:00:00.000Z",
                    "expiresAt": "2025-09-02T14:00:00.000Z",
                    "seenAt": None,
                },
            ],
        },
        {
            "id": 6,
            "username": "metrics-dashboard",
            "name": "Metrics dashboard",
            "rootRole": 3,
            "createdAt": "2026-04-07T08:15:00.000Z",
            "tokens": [],
        },
        {
            "id": 7,
            "username": f"{RUN_PREFIX}0badc0de-left-behind",
            "name": "Left by another run",
            "rootRole": 2,
            "createdAt": "2026-11-30T23:00:00.000Z",
            "tokens": [
                {
                    "id": 5,
                    "description": f"{RUN_PREFIX}0badc0de-token",
                    "createdAt": "2026-11-30T23:00:01.000Z",
                    "expiresAt": "2030-01-01T00:00:00.000Z",
                    "seenAt": None,
                }
            ],
        },
    ],
    "lastIds": {"user": 9, "token": 6},
}
FOREIGN_ACCOUNTS = {"5", "6", "7"}
FOREIGN_TOKENS = {"3", "4", "5"}


@pytest.fixture
def short_lived_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the run's expiring token live one second: the mock shares our clock.

    The clean runs keep the suite's own three seconds and margin.
    """
    monkeypatch.setattr(access, "EXPIRY", timedelta(seconds=1))
    monkeypatch.setattr(access, "EXPIRY_MARGIN", 0.2)


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(Profile.QUICK, id="quick"),
        pytest.param(Profile.FULL, id="full"),
    ],
)
def clean_run(request: pytest.FixtureRequest) -> RunResult:
    """One run of a whole profile against the mock as it ships."""
    with served(create_app(MockConfig())) as url:
        return run_suite(
            RunSettings(
                base_url=url, token=DEFAULT_ADMIN_TOKEN, profile=request.param, seed=1
            )
        )


def test_clean_mock_passes_with_no_findings(clean_run: RunResult) -> None:
    passed = {check for (_, check), tally in clean_run.tallies.items() if tally.passed}

    assert clean_run.error is None
    assert clean_run.findings == []
    assert clean_run.leftovers == []
    assert clean_run.exit_code == ExitCode.CONFORMANT
    assert set(CHECKS) <= passed


@pytest.mark.parametrize(
    ("operation", "check"),
    [
        pytest.param(
            "createServiceAccount", "duplicate_username_refused", id="409-username"
        ),
        pytest.param(
            "createServiceAccountToken",
            "duplicate_token_description_refused",
            id="409-token-description",
        ),
        pytest.param("updateServiceAccount", "delete_cascades", id="404-update"),
        pytest.param("deleteServiceAccount", "delete_cascades", id="404-delete"),
        pytest.param("getServiceAccountTokens", "delete_cascades", id="404-tokens"),
        pytest.param(
            "deleteServiceAccountToken", "delete_cascades", id="404-token-delete"
        ),
        pytest.param(
            "createServiceAccount", "positive_data_acceptance", id="valid-create"
        ),
        pytest.param("updateServiceAccount", "use_after_free", id="use-after-free"),
    ],
)
def test_business_rule_statuses_pass_their_checks(
    clean_run: RunResult, operation: str, check: str
) -> None:
    tally = clean_run.tallies[(operation, check)]

    assert tally.passed > 0
    assert (tally.failed, tally.flaky, tally.warned) == (0, 0, 0)


@pytest.mark.usefixtures("short_lived_token")
def test_run_leaves_records_it_did_not_create_untouched() -> None:
    app = create_app(MockConfig(seed=FOREIGN_STATE))
    created: list[tuple[str, dict[str, Any]]] = []
    targets: list[tuple[str, dict[str, str]]] = []
    tamper(app, after=_recording(created, targets))
    before = _state(app)

    with served(app) as url:
        settings = RunSettings(base_url=url, token=DEFAULT_ADMIN_TOKEN, seed=3)
        result = run_suite(settings)

    after = _state(app)
    names = [body.get("username", body.get("description")) for _, body in created]
    aimed_at_foreign = [
        (method_path, ids)
        for method_path, ids in targets
        if ids.get("id") in FOREIGN_ACCOUNTS or ids.get("tokenId") in FOREIGN_TOKENS
    ]
    assert result.exit_code == ExitCode.CONFORMANT
    assert after == before
    assert len(names) > 20
    assert all(str(name).startswith(settings.prefix) for name in names)
    assert aimed_at_foreign == []


@pytest.mark.usefixtures("short_lived_token")
@pytest.mark.parametrize(
    "where",
    [
        pytest.param("scenario", id="in-a-scenario"),
        pytest.param("fuzzing", id="in-schemathesis"),
    ],
)
def test_interrupted_run_deletes_what_it_created(
    where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(MockConfig())
    alive_at_interrupt: list[int] = []
    _break_run(where, KeyboardInterrupt, app, alive_at_interrupt, monkeypatch)

    with served(app) as url:
        result = run_suite(RunSettings(base_url=url, token=DEFAULT_ADMIN_TOKEN, seed=1))

    assert result.error == "interrupted"
    assert result.exit_code == ExitCode.COULD_NOT_RUN
    assert alive_at_interrupt[0] > 0
    assert _ours(app) == []
    assert result.leftovers == []


@pytest.mark.usefixtures("short_lived_token")
def test_crashed_check_still_deletes_what_it_created(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = create_app(MockConfig())
    alive_at_crash: list[int] = []
    _break_run("scenario", RuntimeError, app, alive_at_crash, monkeypatch)

    with served(app) as url, pytest.raises(RuntimeError, match="a check crashed"):
        run_suite(RunSettings(base_url=url, token=DEFAULT_ADMIN_TOKEN, seed=1))

    assert alive_at_crash[0] > 0
    assert _ours(app) == []


@pytest.mark.usefixtures("short_lived_token")
@pytest.mark.parametrize(
    ("first_of", "operation"),
    [
        pytest.param(
            lambda request: request.method == "PUT",
            "updateServiceAccount",
            id="suite-request",
        ),
        pytest.param(
            lambda request: (
                request.method == "POST"
                and "X-Schemathesis-TestCaseId" in request.headers
                and request.path.endswith("/token")
            ),
            "createServiceAccountToken",
            id="schemathesis-request",
        ),
    ],
)
def test_fault_that_does_not_recur_is_flaky_not_a_failure(
    first_of: Callable[[Request], bool], operation: str
) -> None:
    app = create_app(MockConfig())
    tamper(app, before=_fails_once(first_of))

    with served(app) as url:
        result = run_suite(RunSettings(base_url=url, token=DEFAULT_ADMIN_TOKEN, seed=1))

    flaky = {(finding.check, finding.operation) for finding in result.flaky}
    assert result.failures == []
    assert ("not_a_server_error", operation) in flaky
    assert result.exit_code == ExitCode.CONFORMANT


def _state(app: Flask) -> dict[str, Any]:
    """The mock's whole state as its control API dumps it, counters left out."""
    state: dict[str, Any] = app.test_client().get("/__mock/state").get_json()
    del state["lastIds"]
    return state


def _ours(app: Flask) -> list[str]:
    store = app.extensions["unleash_mock"].store(DEFAULT_SESSION)
    return [a.username for a in store.accounts() if a.username.startswith(RUN_PREFIX)]


def _recording(
    created: list[tuple[str, dict[str, Any]]],
    targets: list[tuple[str, dict[str, str]]],
) -> Callable[[Request, Answer], None]:
    """Note what each request aimed at, and every record a create made."""

    def after(request: Request, answer: Answer) -> None:
        operation, ids = identify(request.method, request.path)
        targets.append((f"{request.method} {request.path}", ids))

        if operation.startswith("create") and answer.status == 201:
            created.append((operation, answer.json))

    return after


def _break_run(
    where: str,
    error: type[BaseException],
    app: Flask,
    alive: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Make the run raise ``error`` midway, noting how many records it had."""

    def crash() -> None:
        alive.append(len(_ours(app)))
        raise error("a check crashed")

    if where == "scenario":
        monkeypatch.setattr(runner, "SCENARIOS", _crashing_scenarios(crash))
        return

    calls = itertools.count(1)

    def checking_then_crashing(*args: Any, **kwargs: Any) -> None:
        if next(calls) == 40:
            crash()

        check_response(*args, **kwargs)

    monkeypatch.setattr(fuzzing, "check_response", checking_then_crashing)


def _crashing_scenarios(crash: Callable[[], None]) -> tuple[Scenario, ...]:
    """The scenarios, with the one that leaves two tokens behind ending in a crash."""
    crashing = "duplicate_token_description_refused"
    return tuple(
        Scenario(s.name, _then(s.run, crash)) if s.name == crashing else s
        for s in SCENARIOS
    )


def _then(
    run: Callable[[World], None], crash: Callable[[], None]
) -> Callable[[World], None]:
    def run_then_crash(world: World) -> None:
        run(world)
        crash()

    return run_then_crash


def _fails_once(
    first_of: Callable[[Request], bool],
) -> Callable[[Request], Answer | None]:
    """Answer 500 to the first request that matches, then never again."""
    matches = itertools.count()

    def before(request: Request) -> Answer | None:
        if first_of(request) and next(matches) == 0:
            return unleash_error(500, "InternalError", "Connection terminated")

        return None

    return before
