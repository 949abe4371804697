"""The terminal summary: a pinned table, each finding, totals and the verdict."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.findings import RunResult
from conformance.reports import render_summary
from tests.sample_runs import (
    CURL,
    STARTED,
    WARNING,
    broken_run,
    finished_run,
)

SUMMARY = """\
Operation by check
operation             check                      pass    fail    warn    flaky
--------------------  -----------------------  ------  ------  ------  -------
createServiceAccount  status_code_conformance       1       2       0        0
deleteServiceAccount  not_a_server_error            0       0       0        1
getServiceAccounts    status_code_conformance       3       0       0        0
getServiceAccounts    undeclared_keys               1       0       1        0
total                                               5       2       1        1

Failures (1)

1. Undocumented status code
   operation: createServiceAccount
   check:     status_code_conformance
   phase:     fuzzing
   expected:  Received: 500
              Documented: 201, 400, 401, 403, 409, 413, 415
   actual:    500 (application/json) {"message":"boom"}
   curl:      {curl}

Flaky (1)

1. Server error
   operation: deleteServiceAccount
   check:     not_a_server_error
   phase:     stateful
   expected:  a status below 500
   actual:    502 (text/html) <h1>Bad gateway</h1>
   curl:      curl -i -X DELETE 'http://127.0.0.1:4242/api/admin/service-account/7'

Warnings (1)

1. Undeclared key in a closed object
   operation: getServiceAccounts
   check:     undeclared_keys
   phase:     scenarios
   expected:  only the keys the description declares
   actual:    200 (application/json) with 'isAPI' on each account

Left behind by teardown (1)
  - service account 12

Run 5eed0001 against http://127.0.0.1:4242
Profile quick, seed 7 (the same seed replays the same generated requests), \
workers 4
Requests sent: 42 (8.0 per second); duration: 5.2 s

Verdict: not conformant, exit code 1: a check failed twice, or teardown left \
records behind
""".replace("{curl}", CURL)


def test_summary_tabulates_checks_then_tells_each_finding_and_the_verdict() -> None:
    result = finished_run()

    summary = render_summary(result)

    assert summary == SUMMARY


def test_summary_of_a_run_that_could_not_run_gives_the_error() -> None:
    result = broken_run()

    summary = render_summary(result)

    assert summary == (
        "Operation by check\n"
        "operation           check                      pass    fail    warn    flaky\n"
        "------------------  -----------------------  ------  ------  ------  -------\n"
        "getServiceAccounts  status_code_conformance       1       0       0        0\n"
        "total                                             1       0       0        0\n"
        "\n"
        "Findings: none.\n"
        "\n"
        "Left behind by teardown: nothing.\n"
        "\n"
        "Run error: the server stopped answering: connection refused\n"
        "\n"
        "Run 5eed0002 against http://127.0.0.1:4242\n"
        "Profile full, seed 0 (the same seed replays the same generated requests), "
        "workers 1\n"
        "Requests sent: 3 (3.0 per second); duration: 1.0 s\n"
        "\n"
        "Verdict: could not run, exit code 2: the run stopped before it could "
        "judge the server\n"
    )


@pytest.mark.parametrize(
    ("change", "verdict"),
    [
        pytest.param(
            {},
            "Verdict: conformant, exit code 0: no check failed "
            "(warnings and flaky results do not count)",
            id="clean-run",
        ),
        pytest.param(
            {"leftovers": ["token 3 of service account 9"]},
            "Verdict: not conformant, exit code 1: a check failed twice, "
            "or teardown left records behind",
            id="leftover-only",
        ),
        pytest.param(
            {"error": "interrupted"},
            "Verdict: could not run, exit code 2: the run stopped before it "
            "could judge the server",
            id="interrupted",
        ),
    ],
)
def test_summary_ends_with_the_verdict_and_the_meaning_of_its_exit_code(
    change: dict[str, Any], verdict: str
) -> None:
    result = RunResult(
        run_id="5eed0003",
        base_url="http://127.0.0.1:4242",
        profile="quick",
        seed=1,
        started_at=STARTED,
        **change,
    )
    result.found(WARNING)

    summary = render_summary(result)

    assert summary.splitlines()[-1] == verdict
    assert "Requests sent: 0; duration: unfinished" in summary
