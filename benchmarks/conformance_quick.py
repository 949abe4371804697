"""The conformance suite against a local mock, by number of Schemathesis workers.

    .venv/bin/python -m benchmarks.conformance_quick [--workers N ...] [--runs 3]

Every run starts a fresh ``unleash-mock`` process on a free port of 127.0.0.1,
so no run inherits another's records, and all use one seed. One table follows:
per worker count, the run's seconds, the requests it sent and their rate, the
seconds of Schemathesis's phases (the only part workers share out), the verdict,
and both times' speed-up against one worker.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import click
import requests
from tabulate import tabulate

from conformance.reports.overview import VERDICTS
from conformance.runner import run_suite
from conformance.scenarios import access
from conformance.settings import Profile, RunSettings
from mock_server.auth import DEFAULT_ADMIN_TOKEN

SEED = 20261204
START_SECONDS = 30
DEFAULT_WORKERS = (1, 2, 4)
HEADERS = (
    "workers",
    "seconds",
    "requests",
    "req/s",
    "schemathesis s",
    "verdict",
    "speed-up",
    "schemathesis speed-up",
)


@dataclass(frozen=True)
class Timing:
    """One run's figures."""

    workers: int
    seconds: float
    schemathesis_seconds: float
    requests: int
    verdict: str


class PhaseClock:
    """The runner's progress hook, keeping only how long each phase took."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}
        self.seconds: dict[str, float] = {}

    def phase_started(self, name: str) -> None:
        self.started[name] = time.perf_counter()

    def check_done(self, operation: str, check: str, ok: bool) -> None:
        """Checks are counted in the run's result; only time is kept here."""

    def phase_finished(self, name: str) -> None:
        self.seconds[name] = time.perf_counter() - self.started[name]


@contextmanager
def local_mock() -> Iterator[str]:
    """An ``unleash-mock`` process with the default seed; yield its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    process = subprocess.Popen(
        [sys.executable, "-m", "mock_server", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"

    try:
        _wait_until_up(url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_up(url: str) -> None:
    deadline = time.monotonic() + START_SECONDS

    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/docs/openapi.json", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)

    raise SystemExit(f"the mock did not start on {url} within {START_SECONDS} s")


def timed_run(workers: int, profile: Profile) -> Timing:
    """One run of the suite on a fresh mock."""
    clock = PhaseClock()

    with local_mock() as url:
        started = time.perf_counter()
        result = run_suite(
            RunSettings(
                base_url=url,
                token=DEFAULT_ADMIN_TOKEN,
                profile=profile,
                seed=SEED,
                workers=workers,
            ),
            clock,
        )
        elapsed = time.perf_counter() - started

    return Timing(
        workers=workers,
        seconds=elapsed,
        schemathesis_seconds=clock.seconds.get("schemathesis", 0.0),
        requests=result.requests_sent,
        verdict=VERDICTS[result.exit_code],
    )


def median_run(runs: list[Timing]) -> Timing:
    """The run of median length, so that a row's figures come from one run."""
    return sorted(runs, key=lambda run: run.seconds)[(len(runs) - 1) // 2]


def table(rows: list[Timing]) -> str:
    baseline = next(row for row in rows if row.workers == 1)
    body = [
        (
            row.workers,
            row.seconds,
            row.requests,
            row.requests / row.seconds,
            row.schemathesis_seconds,
            row.verdict,
            baseline.seconds / row.seconds,
            baseline.schemathesis_seconds / row.schemathesis_seconds,
        )
        for row in rows
    ]
    return tabulate(
        body,
        headers=HEADERS,
        floatfmt=("", ".2f", "", ".1f", ".2f", "", ".2f", ".2f"),
    )


@click.command()
@click.option(
    "--workers",
    "worker_counts",
    multiple=True,
    default=DEFAULT_WORKERS,
    show_default=True,
    type=click.IntRange(1, 16),
    help="A worker count to time; repeat it. One worker is always timed.",
)
@click.option(
    "--runs",
    default=1,
    show_default=True,
    type=click.IntRange(1, 10),
    help="Runs per worker count; a row shows the run of median length.",
)
@click.option(
    "--profile",
    type=click.Choice([p.value for p in Profile]),
    default=Profile.QUICK.value,
    show_default=True,
)
def main(worker_counts: tuple[int, ...], runs: int, profile: str) -> None:
    """Time the suite for each worker count and print one table."""
    # One worker is the baseline every speed-up is measured against.
    counts = sorted({1, *worker_counts})
    rows = [
        median_run([timed_run(workers, Profile(profile)) for _ in range(runs)])
        for workers in counts
    ]
    floor = access.EXPIRY.total_seconds() + access.EXPIRY_MARGIN

    click.echo(table(rows))
    click.echo(
        f"\n{profile} profile, seed {SEED}; each row is the median of {runs} run(s).\n"
        "speed-up: one worker's seconds over the row's.\n"
        f"No run ends sooner than {floor:g} s: the expired-token check waits for\n"
        "its token to expire. The stateful phase runs on one thread at any count."
    )


if __name__ == "__main__":
    main()
