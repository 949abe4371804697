"""The servers a benchmark compares, each started as its own process on 127.0.0.1.

Our mock runs as ``unleash-mock`` does; Prism mocks the same description from
npm; the ceiling is a bare Flask app on the same WSGI server as ours (waitress,
set up by ``mock_server.server``, serving on its loop thread).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from mock_server.auth import DEFAULT_ADMIN_TOKEN
from mock_server.description import DESCRIPTION_PATH
from mock_server.threads import DEFAULT_THREADS

BENCHMARKS = Path(__file__).resolve().parent
ACCOUNTS = "/api/admin/service-account"
ADMIN = {"Authorization": DEFAULT_ADMIN_TOKEN}
THREADS = DEFAULT_THREADS
# One per core of the two-core machines the figures come from.
PROCESSES = 2

# Prism is installed on first use, outside git, at this exact version.
PRISM_VERSION = "5.16.0"
NODE_DIR = BENCHMARKS / ".node"
PRISM = NODE_DIR / "node_modules" / ".bin" / "prism"


@dataclass
class Running:
    """A started server: its name, its URL and its process."""

    name: str
    base_url: str
    process: subprocess.Popen[bytes]


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def our_mock(
    *arguments: str,
    threads: int = THREADS,
    processes: int = 1,
    startup_seconds: float = 30,
) -> Iterator[Running]:
    """``unleash-mock`` with request and response validation on, as shipped."""
    port = free_port()
    command = [sys.executable, "-m", "mock_server", "--port", str(port)]
    command += ["--threads", str(threads), "--processes", str(processes)]
    command += arguments

    with _process("our mock", port, command, startup_seconds) as running:
        yield running


@contextmanager
def bare_flask(
    bodies: Path, threads: int = THREADS, processes: int = 1
) -> Iterator[Running]:
    """The ceiling: Flask answering constant bodies on waitress, as ours is."""
    port = free_port()
    command = [sys.executable, "-m", "benchmarks.ceiling", "--port", str(port)]
    command += ["--threads", str(threads), "--processes", str(processes)]
    command += ["--bodies", str(bodies)]

    with _process("bare Flask", port, command) as running:
        yield running


@contextmanager
def prism() -> Iterator[Running]:
    """Prism mocking our description: stateless, it answers from the examples."""
    install_prism()
    port = free_port()
    command = [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port)]
    command.append(str(DESCRIPTION_PATH))

    with _process("Prism", port, command, startup_seconds=60) as running:
        yield running


def install_prism() -> None:
    """Install the pinned Prism into benchmarks/.node unless it is there."""
    manifest = NODE_DIR / "node_modules" / "@stoplight" / "prism-cli" / "package.json"

    installed = json.loads(manifest.read_text()) if manifest.exists() else {}

    if installed.get("version") == PRISM_VERSION:
        return

    npm = shutil.which("npm")

    if npm is None:
        raise SystemExit("Prism needs npm (and node 18 or newer) on the PATH.")

    NODE_DIR.mkdir(exist_ok=True)
    print(f"installing @stoplight/prism-cli@{PRISM_VERSION} into {NODE_DIR}")
    subprocess.run(
        [
            *(npm, "install", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund"),
            *("--loglevel=error", f"@stoplight/prism-cli@{PRISM_VERSION}"),
        ],
        check=True,
    )


def rss_kib(pid: int) -> tuple[int, int]:
    """Resident memory of one process now and at its peak, in KiB (/proc)."""
    fields = {}

    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.split()[0] if value.split() else "0"

    return int(fields.get("VmRSS", 0)), int(fields.get("VmHWM", 0))


def pss_kib(pid: int) -> int:
    """One process's share of memory in KiB (PSS): shared pages split evenly."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])

    return 0


def process_tree(pid: int) -> list[int]:
    """A process and the processes it started, such as a mock's server processes."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *(int(child) for child in children)]


@contextmanager
def _process(
    name: str, port: int, command: Sequence[str], startup_seconds: float = 30
) -> Iterator[Running]:
    # The servers log every request; a file takes it without slowing them.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, cwd=BENCHMARKS.parent
        )
        running = Running(name, f"http://127.0.0.1:{port}", process)

        try:
            _wait_for(running, command, startup_seconds)
            yield running
        finally:
            process.terminate()

            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _wait_for(running: Running, command: Sequence[str], seconds: float) -> None:
    deadline = time.monotonic() + seconds

    while time.monotonic() < deadline:
        # Its log is not shown: our mock prints the admin token as it starts.
        if running.process.poll() is not None:
            raise SystemExit(
                f"{running.name} exited at start with status "
                f"{running.process.returncode}; to see why, run by hand: "
                + " ".join(command)
            )

        try:
            # Any answer will do; a 404 for "/" costs every server the least.
            requests.get(running.base_url + "/", timeout=5)
            return
        except (requests.ConnectionError, requests.Timeout):
            # Still loading its seed, or Node still starting: ask again.
            time.sleep(0.1)

    raise SystemExit(f"{running.name} did not answer within {seconds:.0f} s")
