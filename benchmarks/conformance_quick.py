"""The conformance suite's quick profile against a local mock: time and requests.

    .venv/bin/python -m benchmarks.conformance_quick [--runs 3]

Each run starts a fresh ``unleash-mock`` process on a free port of 127.0.0.1,
so no run inherits another's records, and prints its time, the requests it
sent, their rate and the verdict, then the median of the runs.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import click
import requests

from conformance.runner import run_suite
from conformance.settings import Profile, RunSettings
from mock_server.auth import DEFAULT_ADMIN_TOKEN

SEED = 20261204
START_SECONDS = 30


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


@click.command()
@click.option("--runs", default=3, show_default=True, type=click.IntRange(1, 10))
def main(runs: int) -> None:
    """Run the quick profile ``runs`` times and print each run's figures."""
    seconds = []
    click.echo(f"{'run':>3}  {'seconds':>7}  {'requests':>8}  {'req/s':>6}  verdict")

    for number in range(1, runs + 1):
        with local_mock() as url:
            started = time.perf_counter()
            result = run_suite(
                RunSettings(
                    base_url=url,
                    token=DEFAULT_ADMIN_TOKEN,
                    profile=Profile.QUICK,
                    seed=SEED,
                )
            )
            elapsed = time.perf_counter() - started

        seconds.append(elapsed)
        rate = result.requests_sent / elapsed
        click.echo(
            f"{number:>3}  {elapsed:>7.1f}  {result.requests_sent:>8,}  {rate:>6,.0f}"
            f"  {result.exit_code.name.lower()}"
        )

    click.echo(
        f"quick profile, seed {SEED}: median {statistics.median(seconds):.1f} s "
        "(target: under 60 s)"
    )


if __name__ == "__main__":
    main()
