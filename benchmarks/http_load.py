"""Four workloads on three servers side by side, in one run: req/s, p50, p99.

    .venv/bin/python -m benchmarks.http_load

The servers: our mock (request and response validation on), Prism mocking the
same description, and a bare Flask app answering our mock's bodies as
constants on the same WSGI server (the ceiling). All three run at once,
idle but for the one under load, and each load is preceded by a warm-up.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click
import requests
from tabulate import tabulate

from benchmarks.servers import (
    ACCOUNTS,
    ADMIN,
    PROCESSES,
    THREADS,
    Running,
    bare_flask,
    our_mock,
    prism,
)
from benchmarks.states import many_accounts, write_fixture
from benchmarks.wrk import Figures, Load, run_wrk

BIG_LIST = 1_000
CONNECTIONS = 32
SERVERS = ("ours", "Prism", "bare")


@dataclass(frozen=True)
class Workload:
    """One row of the table: a load, and the state it runs on."""

    name: str
    load: Load
    big_state: bool = False


def workloads(seconds: int) -> list[Workload]:
    """The rows of the table, each measured on every server."""
    many = f"{BIG_LIST:,}"
    return [
        Workload("GET list, default seed", Load("list.lua", CONNECTIONS, 2, seconds)),
        Workload(
            f"GET list, {many} accounts",
            Load("list.lua", CONNECTIONS, 2, seconds),
            big_state=True,
        ),
        Workload("POST create", Load("create.lua", CONNECTIONS, 2, seconds)),
        # One wrk thread per connection: each follows its own ids (crud.lua).
        Workload(
            "mixed CRUD loop", Load("crud.lua", CONNECTIONS, CONNECTIONS, seconds)
        ),
        Workload(
            f"GET list, {many} accounts, 1 client",
            Load("list.lua", 1, 1, seconds),
            big_state=True,
        ),
    ]


@click.command()
@click.option("--seconds", default=4, show_default=True, help="Per measured load.")
@click.option("--warmup", default=1, show_default=True, help="Before each load.")
@click.option("--threads", default=THREADS, show_default=True, help="WSGI threads.")
@click.option(
    "--processes",
    default=PROCESSES,
    show_default=True,
    help="Server processes of our mock, and of the ceiling.",
)
def main(seconds: int, warmup: int, threads: int, processes: int) -> None:
    """Measure our mock, Prism and the bare Flask ceiling under the same loads."""
    started = time.monotonic()
    rows = workloads(seconds)
    results: dict[tuple[str, str], Figures] = {}
    load_before = os.getloadavg()[0]

    with tempfile.TemporaryDirectory() as folder, prism() as stateless:
        big = write_fixture(many_accounts(BIG_LIST, 1), Path(folder), "big")

        for big_state in (False, True):
            chosen = [row for row in rows if row.big_state == big_state]
            seed = big if big_state else None

            with _servers(threads, processes, Path(folder), seed) as (ours, bare):
                servers = {"ours": ours, "Prism": stateless, "bare": bare}

                for row in chosen:
                    for name in SERVERS:
                        results[row.name, name] = _measure(
                            servers[name], row.load, warmup
                        )

    print(_table(rows, results))
    print(
        f"\n{CONNECTIONS} connections (1 for the 1-client row), {seconds} s each "
        f"after a {warmup} s warm-up; our mock and the ceiling on the same "
        f"waitress set-up, {processes} process(es) each, serving on the loop "
        f"thread (with {threads} worker thread(s) only while a delay fault is in "
        f"force); "
        f"{os.cpu_count()} CPUs; load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after; "
        f"{time.monotonic() - started:.0f} s in all."
    )
    _print_errors(results)


@contextmanager
def _servers(
    threads: int, processes: int, folder: Path, seed: Path | None
) -> Iterator[tuple[Running, Running]]:
    """Our mock on a state, and the ceiling answering that state's bodies."""
    arguments = ["--seed", str(seed)] if seed else []

    with our_mock(*arguments, threads=threads, processes=processes) as ours:
        bodies = write_bodies(ours.base_url, folder)

        with bare_flask(bodies, threads=threads, processes=processes) as bare:
            yield ours, bare


def write_bodies(base_url: str, folder: Path) -> Path:
    """Our mock's answers to one round of calls, for the ceiling to repeat."""
    url = base_url + ACCOUNTS
    listing = requests.get(url, headers=ADMIN, timeout=60)
    account = requests.post(
        url,
        json={"username": "ceiling", "name": "Ceiling", "rootRole": 2},
        headers=ADMIN,
        timeout=10,
    )
    token = requests.post(
        f"{url}/{account.json()['id']}/token",
        json={"description": "ceiling", "expiresAt": "2030-01-01T00:00:00.000Z"},
        headers=ADMIN,
        timeout=10,
    )
    path = folder / "bodies.json"
    path.write_text(
        json.dumps({"list": listing.text, "account": account.text, "token": token.text})
    )
    _reset(base_url)
    return path


def _measure(server: Running, load: Load, warmup: int) -> Figures:
    run_id = secrets.token_hex(3)

    if warmup > 0:
        warm = Load(load.script, load.connections, load.threads, warmup)
        run_wrk(server.base_url, warm, run_id)

    _reset(server.base_url)
    figures = run_wrk(server.base_url, load, run_id + "m")
    _reset(server.base_url)
    return figures


def _reset(base_url: str) -> None:
    # Only our mock has state; Prism and the ceiling answer 404 and keep none.
    requests.post(base_url + "/__mock/reset", timeout=30)


def _table(rows: list[Workload], results: dict[tuple[str, str], Figures]) -> str:
    headers = ["workload"]

    for name in SERVERS:
        headers += [f"{name} req/s", "p50 ms", "p99 ms"]

    headers += ["ours/Prism", "ours/bare"]
    body = []

    for row in rows:
        figures = [results[row.name, name] for name in SERVERS]
        cells = [
            cell
            for measured in figures
            for cell in (
                f"{measured.per_second:,.0f}",
                f"{measured.p50_ms:.1f}",
                f"{measured.p99_ms:.1f}",
            )
        ]
        ours, stateless, bare = (measured.per_second for measured in figures)
        body.append([row.name, *cells, f"{ours / stateless:.2f}", f"{ours / bare:.2f}"])

    # The cells are formatted already; tabulate must not parse them again.
    return tabulate(
        body,
        headers=headers,
        tablefmt="github",
        disable_numparse=True,
        colalign=["left"] + ["right"] * (len(headers) - 1),
    )


def _print_errors(results: dict[tuple[str, str], Figures]) -> None:
    for (workload, server), measured in results.items():
        if measured.status_errors or measured.socket_errors:
            print(
                f"{server} on {workload!r}: {measured.status_errors} responses "
                f"of 400 or more, {measured.socket_errors} socket errors"
            )


if __name__ == "__main__":
    main()
