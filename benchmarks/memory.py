"""Resident memory of the mock holding 10,000 accounts and 50,000 tokens.

    .venv/bin/python -m benchmarks.memory

The state is loaded through a seed fixture at start. The figures are read
from /proc, once started and after listing every account: resident memory
summed over the mock's processes, the same counting each page that forked
processes share only once (PSS), and the peak (VmHWM) of its largest process.
With one process, the first two agree.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click
import requests
from tabulate import tabulate

from benchmarks.servers import (
    ACCOUNTS,
    ADMIN,
    THREADS,
    Running,
    our_mock,
    process_tree,
    pss_kib,
    rss_kib,
)
from benchmarks.states import many_accounts, write_fixture

ACCOUNT_COUNT = 10_000
TOKENS_EACH = 5


@click.command()
@click.option("--threads", default=THREADS, show_default=True, help="WSGI threads.")
@click.option("--processes", default=1, show_default=True, help="Server processes.")
def main(threads: int, processes: int) -> None:
    """Load 10,000 accounts with 5 tokens each and read the server's RSS."""
    rows = []

    with tempfile.TemporaryDirectory() as folder:
        seed = write_fixture(
            many_accounts(ACCOUNT_COUNT, TOKENS_EACH), Path(folder), "memory"
        )
        started = time.perf_counter()

        with our_mock(
            "--seed",
            str(seed),
            threads=threads,
            processes=processes,
            startup_seconds=60,
        ) as running:
            startup = time.perf_counter() - started
            rows.append(["started", *_memory(running), f"ready in {startup:.1f} s"])
            note = _list_everything(running, processes)
            rows.append(["after GET list", *_memory(running), note])

    print(
        tabulate(
            rows,
            headers=["moment", "RSS MiB", "PSS MiB", "peak MiB", "note"],
            tablefmt="github",
            disable_numparse=True,
            colalign=["left", "right", "right", "right", "left"],
        )
    )
    starter = "" if processes == 1 else ", and the process that started them"
    print(
        f"\n{ACCOUNT_COUNT:,} accounts and {ACCOUNT_COUNT * TOKENS_EACH:,} tokens "
        f"(plus the default seed); {processes} server process(es), serving on "
        f"the loop thread{starter}."
    )


def _list_everything(running: Running, processes: int) -> str:
    # Past one process, a new connection each time, twice as many as there
    # are processes, so that each process likely lists at least once.
    for _ in range(1 if processes == 1 else 2 * processes):
        started = time.perf_counter()
        listing = requests.get(
            running.base_url + ACCOUNTS,
            headers={**ADMIN, "Connection": "close"},
            timeout=50,
        )
        elapsed = time.perf_counter() - started
        listing.raise_for_status()

    accounts = listing.json()["serviceAccounts"]
    tokens = sum(len(account["tokens"]) for account in accounts)
    megabytes = len(listing.content) / 2**20
    return (
        f"{len(accounts):,} accounts, {tokens:,} tokens, {megabytes:.1f} MiB "
        f"in {elapsed * 1000:,.0f} ms"
    )


def _memory(running: Running) -> tuple[str, str, str]:
    pids = process_tree(running.process.pid)
    resident = sum(rss_kib(pid)[0] for pid in pids)
    proportional = sum(pss_kib(pid) for pid in pids)
    peak = max(rss_kib(pid)[1] for pid in pids)
    return (
        f"{resident / 1024:.0f}",
        f"{proportional / 1024:.0f}",
        f"{peak / 1024:.0f}",
    )


if __name__ == "__main__":
    main()
