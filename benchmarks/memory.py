"""Resident memory of the mock holding 10,000 accounts and 50,000 tokens.

    .venv/bin/python -m benchmarks.memory

The state is loaded through a seed fixture at start. The figures are read
from /proc for the server's one process: resident memory once started, after
listing every account, and the peak (VmHWM) over the whole run.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click
import requests
from tabulate import tabulate

from benchmarks.servers import ACCOUNTS, ADMIN, THREADS, Running, our_mock, rss_kib
from benchmarks.states import many_accounts, write_fixture

ACCOUNT_COUNT = 10_000
TOKENS_EACH = 5


@click.command()
@click.option("--threads", default=THREADS, show_default=True, help="WSGI threads.")
def main(threads: int) -> None:
    """Load 10,000 accounts with 5 tokens each and read the server's RSS."""
    rows = []

    with tempfile.TemporaryDirectory() as folder:
        seed = write_fixture(
            many_accounts(ACCOUNT_COUNT, TOKENS_EACH), Path(folder), "memory"
        )
        started = time.perf_counter()

        with our_mock(
            "--seed", str(seed), threads=threads, startup_seconds=60
        ) as running:
            startup = time.perf_counter() - started
            rows.append(["started", *_memory(running), f"ready in {startup:.1f} s"])
            note = _list_everything(running)
            rows.append(["after GET list", *_memory(running), note])

    print(
        tabulate(
            rows,
            headers=["moment", "RSS MiB", "peak MiB", "note"],
            tablefmt="github",
            disable_numparse=True,
            colalign=["left", "right", "right", "left"],
        )
    )
    print(
        f"\n{ACCOUNT_COUNT:,} accounts and {ACCOUNT_COUNT * TOKENS_EACH:,} tokens "
        f"(plus the default seed); one process, serving on the loop thread."
    )


def _list_everything(running: Running) -> str:
    started = time.perf_counter()
    listing = requests.get(running.base_url + ACCOUNTS, headers=ADMIN, timeout=50)
    elapsed = time.perf_counter() - started
    listing.raise_for_status()
    accounts = listing.json()["serviceAccounts"]
    tokens = sum(len(account["tokens"]) for account in accounts)
    megabytes = len(listing.content) / 2**20
    return (
        f"{len(accounts):,} accounts, {tokens:,} tokens, {megabytes:.1f} MiB "
        f"in {elapsed * 1000:,.0f} ms"
    )


def _memory(running: Running) -> tuple[str, str]:
    now, peak = rss_kib(running.process.pid)
    return f"{now / 1024:.0f}", f"{peak / 1024:.0f}"


if __name__ == "__main__":
    main()
