"""What a conformance run found: check outcomes, findings and the run's verdict.

Every check the suite runs, whether Schemathesis's or one of ours, reports into
one ``RunResult``: a pass or a finding per (operation, check). Reports and the
exit code are derived from it and nothing else.
"""

from __future__ import annotations

import enum
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime


class ExitCode(enum.IntEnum):
    """The process exit codes the CLI promises."""

    CONFORMANT = 0
    NOT_CONFORMANT = 1
    COULD_NOT_RUN = 2


class Severity(enum.StrEnum):
    """How much a finding counts against the server."""

    # Seen twice in a row: the server breaks the contract.
    FAILURE = "failure"
    # Seen once, gone when the same request was sent again.
    FLAKY = "flaky"
    # Worth a look, but allowed by the contract or by --lenient.
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One broken property, told the way a CI report should tell it.

    ``title`` names the broken property in a few words; ``expected`` and
    ``actual`` say what the contract wants and what the server did; ``curl``
    reproduces the final request with the token written as ``$UNLEASH_TOKEN``.
    """

    check: str
    operation: str
    title: str
    expected: str
    actual: str
    curl: str = ""
    severity: Severity = Severity.FAILURE
    phase: str = ""


@dataclass
class CheckTally:
    """How often one check passed and failed on one operation."""

    passed: int = 0
    failed: int = 0
    warned: int = 0
    flaky: int = 0


@dataclass
class RunResult:
    """Everything a run learned; shared by the phases, so it takes a lock."""

    run_id: str
    base_url: str
    profile: str
    seed: int
    started_at: datetime
    finished_at: datetime | None = None
    # Schemathesis's threads, which the request rate depends on.
    workers: int = 1
    tallies: dict[tuple[str, str], CheckTally] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    # Why the run could not be completed, when it could not.
    error: str | None = None
    requests_sent: int = 0
    # What teardown could not delete, as "service account 12" and the like.
    leftovers: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def passed(self, operation: str, check: str) -> None:
        with self._lock:
            self._tally(operation, check).passed += 1

    def found(self, finding: Finding) -> None:
        with self._lock:
            tally = self._tally(finding.operation, finding.check)

            if finding.severity is Severity.FAILURE:
                tally.failed += 1
            elif finding.severity is Severity.FLAKY:
                tally.flaky += 1
            else:
                tally.warned += 1

            # The same property broken the same way is one finding, however
            # many generated inputs showed it.
            if not any(_same(finding, known) for known in self.findings):
                self.findings.append(finding)

    def count_request(self) -> None:
        with self._lock:
            self.requests_sent += 1

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.FAILURE]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def flaky(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.FLAKY]

    @property
    def exit_code(self) -> ExitCode:
        if self.error is not None:
            return ExitCode.COULD_NOT_RUN

        if self.failures or self.leftovers:
            return ExitCode.NOT_CONFORMANT

        return ExitCode.CONFORMANT

    def severity_counts(self) -> Counter[Severity]:
        return Counter(finding.severity for finding in self.findings)

    def _tally(self, operation: str, check: str) -> CheckTally:
        return self.tallies.setdefault((operation, check), CheckTally())


def _same(one: Finding, other: Finding) -> bool:
    return (one.check, one.operation, one.title, one.severity) == (
        other.check,
        other.operation,
        other.title,
        other.severity,
    )
