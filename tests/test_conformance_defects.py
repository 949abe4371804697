"""The suite fails every defective mock of the catalogue, naming the broken check."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from schemathesis.checks import CHECKS as SCHEMATHESIS_CHECKS
from schemathesis.checks import load_all_checks

from conformance.findings import ExitCode
from conformance.runner import run_suite
from conformance.scenarios import CHECKS, access
from conformance.settings import RUN_PREFIX, RunSettings
from mock_server import MockConfig, create_app
from mock_server.auth import DEFAULT_ADMIN_TOKEN
from mock_server.sessions import DEFAULT_SESSION
from mock_server.store import Store
from tests.defects import DEFECTS, Defect
from tests.serving import served

# Few examples per phase and a fixed seed: each run takes about five seconds
# and finds the same things every time.
EXAMPLES = 3
SEED = 1

KEBAB_CASE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
TOKEN_SECRET = re.compile(r"user:[0-9a-f]{16,}")

# The faults the issue names, each by the defect that has it.
ISSUE_FAULTS = {
    "wrong success status": "delete-answers-204",
    "missing required field": "token-missing-created-at",
    "undeclared field": "account-undeclared-key",
    "wrong type": "root-role-as-string",
    "500 on a bad body": "bad-body-500",
    "401 and 403 swapped": "auth-statuses-swapped",
    "no 409 on a duplicate username": "duplicate-username-accepted",
    "no 409 on a duplicate token description": "duplicate-token-description-accepted",
    "a secret in a list": "secret-in-lists",
    "tokens that outlive their account": "tokens-outlive-account",
    "a reused id": "ids-reused",
    "wrong content type": "wrong-content-type",
    "no location": "no-location",
    "expired token accepted": "expired-token-accepted",
    "deleted token accepted": "deleted-token-accepted",
    "auth ignored": "auth-ignored",
    "415 on charset=utf-8": "charset-refused",
}


@pytest.fixture(autouse=True)
def short_lived_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the run's expiring token live one second instead of three.

    The suite waits at its end until that token has expired. The margin it
    allows for a server clock behind ours is needless here, where the mock
    runs on the test's own clock, and would add a second or two to each run.
    """
    monkeypatch.setattr(access, "EXPIRY", timedelta(seconds=1))
    monkeypatch.setattr(access, "EXPIRY_MARGIN", 0.2)


def test_catalogue_holds_every_fault_the_issue_names() -> None:
    ids = [defect.id for defect in DEFECTS]

    missing = {fault for fault, defect in ISSUE_FAULTS.items() if defect not in ids}

    assert missing == set()
    assert len(ids) >= 18
    assert len(set(ids)) == len(ids)
    assert all(KEBAB_CASE.fullmatch(defect_id) for defect_id in ids)


def test_catalogue_expects_only_checks_the_suite_has() -> None:
    load_all_checks()
    known = set(CHECKS) | set(SCHEMATHESIS_CHECKS.get_all_names())

    unknown = {check for defect in DEFECTS for check in defect.checks} - known

    assert unknown == set()
    assert all(defect.checks and defect.fault and defect.how for defect in DEFECTS)


@pytest.mark.socket
@pytest.mark.parametrize(
    "defect", [pytest.param(defect, id=defect.id) for defect in DEFECTS]
)
def test_suite_fails_a_defective_mock_naming_the_broken_check(
    defect: Defect, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(MockConfig())
    defect.inject(app, monkeypatch)

    with served(app) as url:
        settings = RunSettings(
            base_url=url, token=DEFAULT_ADMIN_TOKEN, seed=SEED, max_examples=EXAMPLES
        )
        result = run_suite(settings)

    failed = {finding.check for finding in result.failures}
    store: Store = app.extensions["unleash_mock"].store(DEFAULT_SESSION)
    remaining = [a.username for a in store.accounts() if RUN_PREFIX in a.username]
    assert result.error is None
    assert result.exit_code == ExitCode.NOT_CONFORMANT
    assert set(defect.checks) <= failed, f"reported failures: {sorted(failed)}"
    # Every fault here shows every time, so no confirmation may call it flaky.
    assert result.flaky == []
    assert result.leftovers == []
    assert remaining == []
    assert DEFAULT_ADMIN_TOKEN not in repr(result.findings)
    assert TOKEN_SECRET.search(repr(result.findings)) is None
