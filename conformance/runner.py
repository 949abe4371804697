"""One conformance run, from the first request to the last deletion.

The order: a preflight that tells "cannot run" from "not conformant", the
suite's own scenarios, Schemathesis's phases, the expired-token check (its
token was made at the start, so nobody waits for it), and teardown, which
runs whatever happened before it, Ctrl-C included.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

from conformance.cleanup import teardown
from conformance.client import ApiClient, Exchange, ServerUnreachable
from conformance.contract import Contract, load_contract
from conformance.findings import Finding, RunResult
from conformance.fuzzing import Fuzzer
from conformance.judge import Judge
from conformance.ledger import Ledger, record
from conformance.operations import ACCOUNTS, OPERATIONS, identify
from conformance.redaction import Redactor
from conformance.response_checks import check_response
from conformance.scenarios import SCENARIOS, World
from conformance.scenarios.access import expired_token_rejected, expiring_token
from conformance.settings import RunSettings


class Progress(Protocol):
    def phase_started(self, name: str) -> None: ...

    def check_done(self, operation: str, check: str, ok: bool) -> None: ...

    def phase_finished(self, name: str) -> None: ...


T = TypeVar("T")

# Teardown's share of the time budget, at most this many seconds. A teardown
# that needs longer (a slow server) gets up to TEARDOWN_GRACE seconds more:
# leaving records on a shared server is worse than finishing a little late.
TEARDOWN_SHARE = 0.2
TEARDOWN_MOST = 60.0
TEARDOWN_GRACE = 30.0


class CannotRun(Exception):
    """The run cannot start or finish; the message says why in one line."""


def plan(settings: RunSettings) -> list[str]:
    """What a run would create and call, one line each, for --dry-run."""
    scenarios = [s for s in SCENARIOS if s.read_only or not settings.read_only]
    operations = [o for o in OPERATIONS if not (settings.read_only and o.changes_state)]
    lines = [f"target: {settings.api_root} (run {settings.run_id})"]

    if not settings.read_only:
        lines.append(
            f"creates: service accounts and tokens named {settings.prefix}*, "
            "all deleted at the end"
        )

    lines += [f"scenario: {scenario.name}" for scenario in scenarios]
    lines += [
        f"schemathesis: {o.method} {o.template} ({o.operation_id}), "
        f"{settings.examples} examples per phase"
        for o in operations
    ]
    return lines


def run_suite(settings: RunSettings, progress: Progress | None = None) -> RunResult:
    """Run every check against the server; the result says what was found."""
    result = RunResult(
        run_id=settings.run_id,
        base_url=settings.api_root,
        profile=settings.profile.value,
        seed=settings.seed or 0,
        started_at=datetime.now(UTC),
        workers=settings.workers,
    )
    budget = Budget.starting_now(settings.time_budget)
    redact = Redactor(settings.token)
    client = ApiClient(
        settings.api_root, settings.token, settings.request_timeout, settings.prefix
    )
    ledger = Ledger()
    contract = Contract(load_contract())
    judge = Judge(result, client, redact, "scenarios")
    judge.on_check = progress.check_done if progress else None
    client.recorders.append(lambda exchange: _note(exchange, ledger, redact, result))
    client.checkers.append(
        lambda exchange: check_response(
            judge, contract, exchange, strict=settings.strict, server_errors=True
        )
    )
    # Nothing is created before the server has answered like Unleash, so a run
    # that stops at the preflight has nothing to clean up.
    may_have_created = False

    try:
        _preflight(client)
        may_have_created = not settings.read_only
        world = World(client, judge, ledger, settings)
        _run_checks(settings, world, contract, result, redact, budget, progress)
    except CannotRun as error:
        result.error = redact(str(error))
    except ServerUnreachable as error:
        result.error = redact(f"the server stopped answering: {error}")
    except KeyboardInterrupt:
        result.error = "interrupted"
    finally:
        if may_have_created:
            cleanup = teardown(client, ledger, settings.prefix, budget.ends_at)
            result.leftovers = [redact(left) for left in cleanup.left]

        client.close()
        result.finished_at = datetime.now(UTC)

    return result


@dataclass(frozen=True)
class Budget:
    """The run's time: the checks get most of it, teardown the rest.

    Teardown's share is kept back so that a run cut short by a slow server
    still has time to delete what it created; ``ends_at`` adds the grace.
    """

    checks_end_at: float
    ends_at: float
    seconds: float

    @classmethod
    def starting_now(cls, seconds: float) -> Budget:
        start = time.monotonic()
        kept_for_teardown = min(seconds * TEARDOWN_SHARE, TEARDOWN_MOST)
        return cls(
            start + seconds - kept_for_teardown,
            start + seconds + TEARDOWN_GRACE,
            seconds,
        )

    def check(self, during: str) -> None:
        """Stop the checks once their share of the budget is spent."""
        if time.monotonic() > self.checks_end_at:
            raise CannotRun(
                f"the time budget of {self.seconds:g} s ran out during {during}; "
                "the run is incomplete (raise --time-budget, or use a faster "
                "server or the quick profile)"
            )


def _run_checks(
    settings: RunSettings,
    world: World,
    contract: Contract,
    result: RunResult,
    redact: Redactor,
    budget: Budget,
    progress: Progress | None,
) -> None:
    def survive(step: str, action: Callable[[], T]) -> T | None:
        """Run a step; an unanswered request in it is a finding, not the end.

        The run goes on if the server still answers at all, and stops (exit
        2) if it does not.
        """
        try:
            return action()
        except ServerUnreachable as error:
            _unanswered(result, step, error, redact)
            world.client.send("GET", ACCOUNTS, checked=False)
            return None

    _phase(progress, "scenarios")
    world.learn_roles(world.accounts())
    expiring = (
        None
        if settings.read_only
        else survive("expired_token_rejected", lambda: expiring_token(world))
    )

    for scenario in SCENARIOS:
        if settings.read_only and not scenario.read_only:
            continue

        budget.check("the scenarios")
        survive(scenario.name, functools.partial(scenario.run, world))

    _done(progress, "scenarios")
    _phase(progress, "schemathesis")
    fuzzer = Fuzzer(settings, contract, world.client, world.ledger, result, redact)
    fuzzer.run(budget.checks_end_at, progress.check_done if progress else None)
    budget.check("Schemathesis's phases")
    _done(progress, "schemathesis")

    if expiring is not None:
        survive(
            "expired_token_rejected",
            functools.partial(expired_token_rejected, world, expiring),
        )


def _unanswered(
    result: RunResult, scenario: str, error: ServerUnreachable, redact: Redactor
) -> None:
    path = urlsplit(error.url).path
    operation, _ = identify(error.method, path)
    result.found(
        Finding(
            check="request_completed",
            operation=operation or scenario,
            title="Request failed without a usable response",
            expected="an HTTP response within the request timeout",
            actual=redact(f"{error.method} {error.url}: {error.reason}"),
            phase="scenarios",
        )
    )


def _preflight(client: ApiClient) -> None:
    try:
        listing = client.send("GET", ACCOUNTS, checked=False)
    except ServerUnreachable as error:
        raise CannotRun(f"cannot reach {error.url}: {error.reason}") from None

    if listing.status in (401, 403):
        raise CannotRun(
            f"the token was rejected up front: GET {ACCOUNTS} answered "
            f"{listing.status}; pass an admin token with --token or UNLEASH_TOKEN"
        )

    if listing.status == 404:
        raise CannotRun(
            f"GET {ACCOUNTS} answered 404: service accounts need Unleash "
            "Enterprise, or the base URL misses the base path"
        )

    if listing.status != 200 or not isinstance(listing.json, dict):
        raise CannotRun(
            f"GET {ACCOUNTS} did not answer like Unleash: {listing.status} "
            f"({listing.media_type or 'no content type'})"
        )


def _note(
    exchange: Exchange, ledger: Ledger, redact: Redactor, result: RunResult
) -> None:
    result.count_request()
    record(ledger, exchange)

    for secret in ledger.shown_secrets():
        redact.add(secret)


def _phase(progress: Progress | None, name: str) -> None:
    if progress:
        progress.phase_started(name)


def _done(progress: Progress | None, name: str) -> None:
    if progress:
        progress.phase_finished(name)
