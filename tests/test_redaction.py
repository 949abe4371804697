"""The quick scans that let redaction skip text cannot miss a secret."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.control.journal import redacted_body
from mock_server.redaction import REDACTED, SECRET_TEXT, may_hold_secret, redacted

SECRET = "user:" + "be7536c3a160ff15e3a92da45de531dd54bc1ae15d8455c0476f086b"
ADMIN = "*:*.unleash-insecure-admin-api-token"

# Text near both secret shapes: the characters they are made of, and the
# separators around them.
NEAR_SECRETS = st.lists(
    st.sampled_from([*'user:v2_.*-aZ09 "\\', "user:", ":*.", "abcdefgh"]),
    max_size=30,
).map("".join)


@settings(max_examples=2_000, derandomize=True, deadline=None)
@given(text=NEAR_SECRETS)
def test_text_the_quick_scan_lets_through_holds_nothing_secret_shaped(
    text: str,
) -> None:
    if not may_hold_secret(text):
        assert SECRET_TEXT.search(text) is None


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"name": f"bot {SECRET}"}, id="pat-in-a-string"),
        pytest.param({"note": f"{ADMIN} leaked"}, id="admin-token-in-a-string"),
        pytest.param({"secret": "anything"}, id="secret-key"),
    ],
)
def test_a_journal_body_with_a_secret_is_redacted(body: dict[str, Any]) -> None:
    raw = json.dumps(body).encode()

    shown = json.dumps(redacted_body(raw, "application/json"))

    assert SECRET not in shown
    assert ADMIN not in shown
    assert "anything" not in shown
    assert REDACTED in shown


def test_a_secret_spelled_with_escapes_is_still_redacted() -> None:
    escaped = '{"name": "' + SECRET.replace("be75", "\\u0062e75") + '"}'

    shown = redacted_body(escaped.encode(), "application/json")

    assert shown == {"name": REDACTED}


def test_text_without_a_secret_comes_back_unchanged() -> None:
    text = '{"createdAt":"2026-12-01T12:00:00.000Z","name":"a:b.c"}'

    assert redacted(text) == text
