"""The per-response checks on single exchanges: what counts as a leak of internals."""

from __future__ import annotations

import json

import pytest
from requests.structures import CaseInsensitiveDict

from conformance.client import Exchange
from conformance.response_checks import _tells_no_internals

ACCOUNTS = "/api/admin/service-account"


def error_answer(path: str, message: str, body: bytes | None = None) -> Exchange:
    return Exchange(
        method="DELETE",
        url="http://127.0.0.1:4242" + path,
        path=path,
        request_headers={},
        request_body=body,
        status=404,
        response_headers=CaseInsensitiveDict({"Content-Type": "application/json"}),
        text=json.dumps({"name": "NotFoundError", "message": message}),
    )


@pytest.mark.parametrize(
    ("path", "message", "body", "tells"),
    [
        pytest.param(
            f"{ACCOUNTS}/5/token/1%20UNION%20SELECT%20secret%20FROM%20tokens",
            "Could not find a token with id '1 UNION SELECT secret FROM tokens'.",
            None,
            True,
            id="sql-the-caller-sent-in-the-path",
        ),
        pytest.param(
            ACCOUNTS,
            "A service account or user with the username 'select a from b' exists.",
            b'{"username": "select a from b"}',
            True,
            id="sql-the-caller-sent-in-the-body",
        ),
        pytest.param(
            f"{ACCOUNTS}/5",
            "Not found (select * from users where id = $1)",
            None,
            False,
            id="the-servers-own-query",
        ),
        pytest.param(
            f"{ACCOUNTS}/5",
            "oops\n    at handle (/srv/dist/lib/routes/util.js:41:23)",
            None,
            False,
            id="a-node-stack-frame",
        ),
        pytest.param(
            f"{ACCOUNTS}/5",
            "Select team bot was copied from vault",
            None,
            True,
            id="words-no-statement",
        ),
    ],
)
def test_internals_are_what_the_server_says_of_its_own(
    path: str, message: str, body: bytes | None, tells: bool
) -> None:
    exchange = error_answer(path, message, body)

    assert _tells_no_internals(exchange) is tells
