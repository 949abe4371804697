"""Hostile paths, headers and framing, sent as raw bytes to a served mock.

What reaches the app depends on the WSGI server (it decodes the path, joins
repeated headers, refuses what it cannot parse), so these requests go over a
real socket. Every answer is an error in Unleash's shape, never a 500.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mock_server import MockConfig, create_app
from mock_server.auth import DEFAULT_ADMIN_TOKEN
from mock_server.handlers import HANDLERS, Call, Reply
from tests.matchers import error_body, not_found_account
from tests.serving import raw_request, send_raw, served

pytestmark = pytest.mark.socket

ACCOUNTS = "/api/admin/service-account"
ADMIN = (b"Authorization", DEFAULT_ADMIN_TOKEN.encode())
JSON = (b"Content-Type", b"application/json")
ACCOUNT_BODY = b'{"username": "a", "name": "b", "rootRole": 1}'
UNREADABLE = (
    "The server could not read the request: {}. Send well-formed HTTP/1.1, with "
    "anything that is not ASCII in the URL percent-encoded."
)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """A served mock holding account 1, which has no token 7."""
    app = create_app(MockConfig(seed=None))

    with served(app) as url:
        created = requests.post(
            url + ACCOUNTS,
            json={"username": "target", "name": "T", "rootRole": 2},
            headers={"Authorization": DEFAULT_ADMIN_TOKEN},
            timeout=5,
        )
        assert created.json()["id"] == 1
        yield url


def path_not_available(path: str) -> dict[str, Any]:
    return error_body(
        "NotFoundError", f"The path you were looking for ({path}) is not available."
    )


def token_not_found(shown: str) -> dict[str, Any]:
    return error_body(
        "NotFoundError", f"Could not find a token with id {shown} on service account 1."
    )


@pytest.mark.parametrize(
    ("raw_id", "decoded"),
    [
        pytest.param(b"1'%20OR%20'1", "1' OR '1", id="sql-quote"),
        pytest.param(b"%22quoted%22", '"quoted"', id="double-quotes"),
        pytest.param(b"%00", "\x00", id="nul"),
        pytest.param(b"%ZZ", "%ZZ", id="broken-percent-encoding"),
        pytest.param(b"%FF%FE", "\ufffd\ufffd", id="percent-encoded-invalid-utf-8"),
        pytest.param(b"%252e%252e", "%2e%2e", id="double-encoded-dots"),
        pytest.param(b"-1", "-1", id="negative"),
        pytest.param(b"1e3", "1e3", id="exponent"),
        pytest.param(b"9" * 400, "9" * 79 + "…", id="400-digits"),
    ],
)
@pytest.mark.parametrize(
    ("method", "template"),
    [
        pytest.param("PUT", b"%s/{}", id="update"),
        pytest.param("DELETE", b"%s/{}", id="delete"),
        pytest.param("GET", b"%s/{}/token", id="list-tokens"),
        pytest.param("POST", b"%s/{}/token", id="create-token"),
    ],
)
def test_hostile_account_ids_answer_404_naming_the_id(
    base_url: str, raw_id: bytes, decoded: str, method: str, template: bytes
) -> None:
    target = (template % ACCOUNTS.encode()).replace(b"{}", raw_id)
    body = b'{"name": "x", "description": "d", "expiresAt": "2030-01-01T00:00:00Z"}'

    response = send_raw(base_url, raw_request(method, target, [ADMIN, JSON], body=body))

    assert response.status == 404
    assert response.json() == not_found_account(decoded)


@pytest.mark.parametrize(
    ("raw_id", "shown"),
    [
        pytest.param(b"1'%20OR%20'1", "\"1' OR '1\"", id="sql-quote"),
        pytest.param(b"%00", "'\\x00'", id="nul"),
        pytest.param(b"%ZZ", "'%ZZ'", id="broken-percent-encoding"),
        pytest.param(b"7", "'7'", id="absent"),
    ],
)
def test_hostile_token_ids_answer_404_naming_the_id(
    base_url: str, raw_id: bytes, shown: str
) -> None:
    target = ACCOUNTS.encode() + b"/1/token/" + raw_id

    response = send_raw(base_url, raw_request("DELETE", target, [ADMIN]))

    assert response.status == 404
    assert response.json() == token_not_found(shown)


def test_path_traversal_matches_no_operation_and_answers_404(base_url: str) -> None:
    target = ACCOUNTS + "/../../etc/passwd"

    response = send_raw(base_url, raw_request("DELETE", target.encode(), [ADMIN]))

    assert response.status == 404
    assert response.json() == path_not_available(target)


@pytest.mark.parametrize(
    ("method", "target", "expected"),
    [
        pytest.param(
            "DELETE",
            b"/1%2F",
            not_found_account("1%2F"),
            id="account-id-with-a-slash",
        ),
        pytest.param(
            "DELETE",
            b"/..%2F..%2Fetc",
            not_found_account("..%2F..%2Fetc"),
            id="traversal-as-account-id",
        ),
        pytest.param(
            "GET",
            b"/1%2f/token",
            not_found_account("1%2F"),
            id="lower-case-in-token-list",
        ),
        pytest.param(
            "DELETE",
            b"/1/token/..%2F..%2Fetc",
            token_not_found("'..%2F..%2Fetc'"),
            id="traversal-as-token-id",
        ),
    ],
)
def test_an_encoded_slash_stays_in_the_segment_it_was_sent_in(
    base_url: str, method: str, target: bytes, expected: dict[str, Any]
) -> None:
    # waitress decodes %2F in PATH_INFO; read from there, 1%2F would name
    # account 1 and delete it.
    response = send_raw(
        base_url, raw_request(method, ACCOUNTS.encode() + target, [ADMIN])
    )
    listing = requests.get(
        base_url + ACCOUNTS, headers={"Authorization": DEFAULT_ADMIN_TOKEN}, timeout=5
    )

    assert response.status == 404
    assert response.json() == expected
    assert [account["id"] for account in listing.json()["serviceAccounts"]] == [1]


@pytest.mark.parametrize(
    ("method", "target"),
    [
        pytest.param("GET", "/api//admin/service-account", id="inside"),
        pytest.param("GET", "//api/admin/service-account", id="leading"),
        pytest.param("GET", "///api/admin/service-account/1/token", id="leading-three"),
        pytest.param("POST", "//api/admin/service-account", id="leading-create"),
    ],
)
def test_a_doubled_slash_answers_404_in_the_error_shape_and_reaches_nothing(
    base_url: str, method: str, target: str
) -> None:
    # werkzeug would redirect the first and route the others as if the slash
    # were single; Express matches none of them.
    response = send_raw(
        base_url,
        raw_request(method, target.encode(), [ADMIN, JSON], body=ACCOUNT_BODY),
    )
    listing = requests.get(
        base_url + ACCOUNTS, headers={"Authorization": DEFAULT_ADMIN_TOKEN}, timeout=5
    )

    assert response.status == 404
    assert response.json() == path_not_available(target)
    assert [account["id"] for account in listing.json()["serviceAccounts"]] == [1]


@pytest.mark.parametrize(
    "target",
    [
        pytest.param(ACCOUNTS.encode() + b"/\xff\xfe/token", id="account-id"),
        pytest.param(ACCOUNTS.encode() + b"/1/token/\xc3\x28", id="token-id"),
        pytest.param(ACCOUNTS.encode() + b"?q=\xff", id="query"),
    ],
)
def test_raw_invalid_utf_8_in_the_url_answers_400_in_the_error_shape(
    base_url: str, target: bytes
) -> None:
    response = send_raw(base_url, raw_request("GET", target, [ADMIN]))

    assert response.status == 400
    assert response.json() == error_body("BadDataError", UNREADABLE.format("Bad URI"))


@pytest.mark.parametrize(
    "credentials",
    [
        pytest.param([ADMIN, ADMIN], id="the-admin-token-twice"),
        pytest.param([ADMIN, (b"Authorization", b"user:" + b"0" * 56)], id="two"),
        pytest.param([ADMIN, (b"Authorization", b"")], id="one-empty"),
    ],
)
def test_duplicate_authorization_headers_answer_401(
    base_url: str, credentials: list[tuple[bytes, bytes]]
) -> None:
    response = send_raw(base_url, raw_request("GET", ACCOUNTS.encode(), credentials))

    assert response.status == 401
    assert response.json() == error_body(
        "UnauthorizedError", "You must log in to use Unleash."
    )


def test_duplicate_content_types_answer_415(base_url: str) -> None:
    request = raw_request(
        "POST", ACCOUNTS.encode(), [ADMIN, JSON, JSON], body=ACCOUNT_BODY
    )

    response = send_raw(base_url, request)

    assert response.status == 415
    assert response.json() == error_body(
        "ContentTypeError",
        "We do not accept the content-type you provided (application/json, "
        "application/json). Try using one of the content-types we do accept "
        "instead (application/json) and make sure the body is in the "
        "corresponding format.",
    )


def test_a_64_kb_header_answers_431_in_the_error_shape(base_url: str) -> None:
    padding = (b"X-Padding", b"a" * 64 * 1024)

    response = send_raw(
        base_url, raw_request("GET", ACCOUNTS.encode(), [ADMIN, padding])
    )

    assert response.status == 431
    assert response.json() == error_body(
        "RequestHeaderFieldsTooLargeError",
        "The request headers take 65638 bytes; the server accepts at most 16384.",
    )


def test_headers_past_the_servers_own_limit_answer_431_in_the_error_shape(
    base_url: str,
) -> None:
    padding = (b"X-Padding", b"a" * 300 * 1024)

    response = send_raw(
        base_url, raw_request("GET", ACCOUNTS.encode(), [ADMIN, padding])
    )

    assert response.status == 431
    assert response.json() == error_body(
        "RequestHeaderFieldsTooLargeError",
        UNREADABLE.format("exceeds max_header of 262144"),
    )


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        pytest.param(
            (b"X-Split", b"a\rb"),
            'Bare CR or LF found in header line "X-Split: a\rb"',
            id="bare-cr",
        ),
        pytest.param((b"Bad Name", b"x"), "Invalid header", id="space-in-name"),
        pytest.param((b"Content-Length", b"-1"), "Content-Length is invalid", id="cl"),
    ],
)
def test_headers_the_server_cannot_parse_answer_400_in_the_error_shape(
    base_url: str, header: tuple[bytes, bytes], reason: str
) -> None:
    response = send_raw(
        base_url, raw_request("GET", ACCOUNTS.encode(), [ADMIN, header])
    )

    assert response.status == 400
    assert response.json() == error_body("BadDataError", UNREADABLE.format(reason))


def test_a_chunked_body_over_100_kb_answers_413(base_url: str) -> None:
    chunk = b"a" * (101 * 1024)
    body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(chunk), chunk)
    chunked = (b"Transfer-Encoding", b"chunked")

    response = send_raw(
        base_url,
        raw_request("POST", ACCOUNTS.encode(), [ADMIN, JSON, chunked], body=body),
    )

    assert response.status == 413
    assert response.json() == error_body(
        "PayloadTooLargeError", "request entity too large"
    )


def test_an_exception_escaping_the_app_answers_500_without_internals(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def explode(call: Call) -> Reply:
        raise KeyError("secret internals")

    monkeypatch.setitem(HANDLERS, "getServiceAccounts", explode)
    # With "raise", the app lets the exception out, so waitress answers it.
    app = create_app(MockConfig(seed=None, response_violations="raise"))

    with served(app) as url:
        response = send_raw(url, raw_request("GET", ACCOUNTS.encode(), [ADMIN]))

    assert response.status == 500
    assert response.json() == error_body(
        "InternalError", "The mock failed to handle this request."
    )


@pytest.mark.parametrize(
    ("target", "header", "line"),
    [
        pytest.param(
            ACCOUNTS.encode() + b"/\xff\xfe/token", None, "GET - 400 -", id="raw-url"
        ),
        pytest.param(ACCOUNTS.encode(), (b"X-Split", b"a\rb"), "- - 400 -", id="cr"),
        pytest.param(
            ACCOUNTS.encode(),
            (b"X-Padding", b"a" * 300 * 1024),
            "- - 431 -",
            id="past-the-servers-limit",
        ),
    ],
)
def test_a_request_the_server_refuses_gets_its_line_in_the_request_log(
    caplog: pytest.LogCaptureFixture,
    target: bytes,
    header: tuple[bytes, bytes] | None,
    line: str,
) -> None:
    headers = [ADMIN, *([header] if header else [])]

    # A mock of its own, so that no other request's line comes in between.
    with (
        caplog.at_level(logging.INFO, logger="mock_server.requests"),
        served(create_app(MockConfig(seed=None))) as url,
    ):
        response = send_raw(url, raw_request("GET", target, headers))
        # The line is written once the answer is sent, so it may come later.
        deadline = time.monotonic() + 5

        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.01)

    assert response.status == int(line.split()[2])
    assert [record.getMessage() for record in caplog.records] == [line]
