"""Driving wrk (Debian's ``wrk`` package) and reading the figures it reports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.servers import BENCHMARKS
from mock_server.auth import DEFAULT_ADMIN_TOKEN

LUA = BENCHMARKS / "lua"
_MARKER = "WRK-RESULT "


@dataclass(frozen=True)
class Load:
    """One bounded load: a Lua script, connections and wrk threads, seconds."""

    script: str
    connections: int
    threads: int
    seconds: int


@dataclass(frozen=True)
class Figures:
    """What wrk measured over one load."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    # Responses with a status of 400 or more, and failed socket operations.
    status_errors: int
    socket_errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(base_url: str, load: Load, run_id: str) -> Figures:
    """Run wrk against a server on 127.0.0.1 and return its figures."""
    wrk = _wrk()
    script = (LUA / load.script).read_text() + (LUA / "report.lua").read_text()

    with tempfile.NamedTemporaryFile("w", suffix=".lua") as combined:
        combined.write(script)
        combined.flush()
        finished = subprocess.run(
            [
                *(wrk, "-t", str(load.threads), "-c", str(load.connections)),
                *("-d", f"{load.seconds}s", "--timeout", "10s"),
                *("-s", combined.name, base_url),
            ],
            capture_output=True,
            text=True,
            check=True,
            # The token reaches wrk's Lua through its environment, never argv.
            env={**os.environ, "BENCH_TOKEN": DEFAULT_ADMIN_TOKEN, "BENCH_RUN": run_id},
        )

    return _figures(finished.stdout, Path(load.script).stem)


def _wrk() -> str:
    """The wrk executable, installed from Debian's package if it is missing."""
    found = shutil.which("wrk")

    if found is not None:
        return found

    print("wrk is missing: apt-get install -y wrk")
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True)
    found = shutil.which("wrk")

    if found is None:
        raise SystemExit("wrk is still missing after apt-get install -y wrk")

    return found


def _figures(output: str, what: str) -> Figures:
    for line in output.splitlines():
        if line.startswith(_MARKER):
            raw = json.loads(line.removeprefix(_MARKER))
            return Figures(
                requests=raw["requests"],
                seconds=raw["duration_us"] / 1e6,
                p50_ms=raw["p50_us"] / 1000,
                p99_ms=raw["p99_us"] / 1000,
                status_errors=raw["status_errors"],
                socket_errors=raw["socket_errors"],
            )

    raise SystemExit(f"wrk printed no figures for {what}:\n{output}")
