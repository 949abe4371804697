"""The settings of one conformance run, and the two profiles.

The CLI and the pytest plugin both build a ``RunSettings``; nothing else reads
command-line options or the environment.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass, field
from pathlib import Path

# Everything a run creates is named with this prefix and its run id, so a run
# only ever touches its own records and `sweep` finds what a crash left.
RUN_PREFIX = "conformance-"
# A run id: eight lowercase hex digits, as new_run_id makes them.
RUN_ID_PATTERN = "[0-9a-f]{8}"

# Schemathesis's phases, all run in both profiles; they differ in how many
# examples each phase draws.
PHASES = ("examples", "coverage", "fuzzing", "stateful")


class Profile(enum.StrEnum):
    """How hard a run tries: quick for every commit, full for a nightly gate."""

    QUICK = "quick"
    FULL = "full"

    @property
    def max_examples(self) -> int:
        return 10 if self is Profile.QUICK else 60

    @property
    def stateful_steps(self) -> int:
        return 6 if self is Profile.QUICK else 20


def new_run_id() -> str:
    """A short id, unique enough to tell concurrent runs apart."""
    return secrets.token_hex(4)


@dataclass(frozen=True)
class RunSettings:
    """Where to point the suite and how to run it.

    ``base_url`` may carry a base path (``https://host/unleash``). ``strict``
    fails undeclared keys in closed objects; lenient reports them as warnings.
    ``read_only`` sends only requests that change nothing; ``dry_run`` sends
    nothing at all. ``workers`` is how many threads Schemathesis's examples,
    coverage and fuzzing phases run operations on; the suite's scenarios, the
    stateful phase and teardown run on one.
    """

    base_url: str
    # Never in a repr: test runners and tracebacks print settings.
    token: str = field(repr=False)
    profile: Profile = Profile.QUICK
    seed: int | None = None
    max_examples: int | None = None
    report_dir: Path | None = None
    strict: bool = True
    dry_run: bool = False
    read_only: bool = False
    request_timeout: float = 10.0
    # The whole run, setup and teardown included, stops within this budget.
    time_budget: float = 900.0
    workers: int = 1
    run_id: str = field(default_factory=new_run_id)

    @property
    def prefix(self) -> str:
        return f"{RUN_PREFIX}{self.run_id}-"

    @property
    def examples(self) -> int:
        return self.max_examples or self.profile.max_examples

    @property
    def api_root(self) -> str:
        return self.base_url.rstrip("/")
