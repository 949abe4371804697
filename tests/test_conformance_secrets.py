"""No secret the suite holds or creates appears in anything it prints or writes.

A full CLI run with reports goes against the served mock, which records every
token secret it hands out. Then every output of the run, stdout, stderr, each
report file and every log record, is searched for the admin token and for each
of those secrets. A second run goes against a mock that leaks: it echoes the
caller's credential in its 401s and shows secrets in its lists, so the suite's
findings quote responses that hold them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from conformance.cli import main
from mock_server import MockConfig, create_app
from tests.serving import served

pytestmark = pytest.mark.socket

ADMIN = "*:*.unleash-insecure-admin-api-token"

StartResponse = Any


def recording_secrets(app: Flask, *, leak: bool) -> list[str]:
    """Wrap the app so that it notes each secret it sends, and leaks if told."""
    inner = app.wsgi_app
    secrets: list[str] = []

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            captured.update(status=status, headers=headers)
            return lambda data: None

        body = b"".join(inner(environ, capture))
        status, headers = captured["status"], captured["headers"]
        answer = _json(body)

        if isinstance(answer, dict) and isinstance(answer.get("secret"), str):
            secrets.append(answer["secret"])

        if leak:
            body = _leaky(environ, status, answer, secrets) or body
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers.append(("Content-Length", str(len(body))))

        start_response(status, headers)
        return [body]

    app.wsgi_app = wsgi  # type: ignore[method-assign]
    return secrets


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _leaky(
    environ: dict[str, Any], status: str, answer: Any, secrets: list[str]
) -> bytes | None:
    """What a careless server would say instead, secrets and all."""
    if status.startswith("401") and isinstance(answer, dict):
        credential = environ.get("HTTP_AUTHORIZATION", "")
        answer["message"] = f"Token {credential} is not valid; admin is {ADMIN}."
        return json.dumps(answer).encode()

    if isinstance(answer, dict) and "pats" in answer and secrets:
        for token in answer["pats"]:
            token["secret"] = secrets[-1]

        return json.dumps(answer).encode()

    return None


def run_and_collect(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, *, leak: bool
) -> tuple[list[str], str, int]:
    """Run the CLI once; the secrets handed out, every output, the exit code."""
    app = create_app(MockConfig())
    secrets = recording_secrets(app, leak=leak)
    reports = tmp_path / "reports"
    caplog.set_level(logging.DEBUG)

    with served(app) as url:
        result = CliRunner().invoke(
            main,
            [
                "run",
                "--base-url",
                url,
                "--token",
                ADMIN,
                "--seed",
                "8",
                "--report-dir",
                str(reports),
            ],
        )

    written = [path.read_text(encoding="utf-8") for path in sorted(reports.iterdir())]
    outputs = "\n".join([result.output, caplog.text, *written])
    return secrets, outputs, result.exit_code


@pytest.mark.parametrize(
    ("leak", "exit_code", "shown"),
    [
        pytest.param(False, 0, "Verdict: conformant", id="clean-server"),
        # The findings quote the leaky answers, with the secrets blanked out.
        pytest.param(True, 1, '"secret": "[redacted]"', id="leaky-server"),
    ],
)
def test_no_output_of_a_run_holds_a_secret(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    leak: bool,
    exit_code: int,
    shown: str,
) -> None:
    secrets, outputs, code = run_and_collect(tmp_path, caplog, leak=leak)

    assert code == exit_code, outputs[-3000:]
    assert len(secrets) >= 10
    assert shown in outputs
    leaked = [secret for secret in [ADMIN, *secrets] if secret in outputs]
    assert leaked == []
