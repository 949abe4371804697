"""The suite as a pytest plugin, so that CI can fold it into an existing run.

Installed with the package (entry point ``pytest11``), it adds the
``--unleash-*`` options and the session fixture ``unleash_conformance``. A test
that wants the contract gate asks for the fixture and asserts on it::

    def test_unleash_conforms(unleash_conformance):
        unleash_conformance.assert_conformant()

The run happens once per session, however many tests use the fixture.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.findings import ExitCode, RunResult
from conformance.redaction import Redactor
from conformance.reports import render_summary, write_reports
from conformance.runner import run_suite
from conformance.settings import Profile, RunSettings


@dataclass(frozen=True)
class ConformanceRun:
    """A finished run and the way to turn its verdict into a test outcome."""

    settings: RunSettings
    result: RunResult

    def assert_conformant(self) -> None:
        """Fail the calling test unless the server conforms."""
        # The failure is the server's, not this method's: keep its frame out.
        __tracebackhide__ = True

        if self.result.exit_code is ExitCode.CONFORMANT:
            return

        redact = Redactor(self.settings.token)
        raise AssertionError(redact(render_summary(self.result)))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("unleash-conformance")
    group.addoption(
        "--unleash-url",
        default=os.environ.get("UNLEASH_URL"),
        help="Unleash server to check (env UNLEASH_URL).",
    )
    group.addoption(
        "--unleash-token",
        default=os.environ.get("UNLEASH_TOKEN"),
        help="Admin token for that server (env UNLEASH_TOKEN).",
    )
    group.addoption(
        "--unleash-profile",
        default=Profile.QUICK.value,
        choices=[profile.value for profile in Profile],
        help="quick or full.",
    )
    group.addoption("--unleash-seed", type=int, default=0, help="Replay a run.")
    group.addoption(
        "--unleash-report-dir",
        type=Path,
        default=None,
        help="Write the run's JUnit, JSON and HTML reports here.",
    )
    group.addoption(
        "--unleash-lenient",
        action="store_true",
        help="Undeclared keys in closed objects warn instead of failing.",
    )


@pytest.fixture(scope="session")
def unleash_conformance(pytestconfig: pytest.Config) -> ConformanceRun:
    """The suite's run against ``--unleash-url``, made once per session."""
    url = pytestconfig.getoption("unleash_url")
    token = pytestconfig.getoption("unleash_token")

    if not url or not token:
        pytest.fail(
            "unleash_conformance needs a server: pass --unleash-url and "
            "--unleash-token (or set UNLEASH_URL and UNLEASH_TOKEN)",
            pytrace=False,
        )

    settings = RunSettings(
        base_url=url,
        token=token,
        profile=Profile(pytestconfig.getoption("unleash_profile")),
        seed=pytestconfig.getoption("unleash_seed"),
        report_dir=pytestconfig.getoption("unleash_report_dir"),
        strict=not pytestconfig.getoption("unleash_lenient"),
    )
    result = run_suite(settings)

    if settings.report_dir is not None:
        write_reports(result, settings.report_dir, Redactor(token))

    return ConformanceRun(settings, result)
