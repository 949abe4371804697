"""Bodies that generators rarely make: each answer is a clear error, never a 500.

Paths, headers and framing depend on the WSGI server and are sent over a
socket in ``test_hostile_http.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.matchers import ADMIN_HEADERS, bad_data, error_body

ACCOUNTS = "/api/admin/service-account"
JSON_ADMIN = {**ADMIN_HEADERS, "Content-Type": "application/json"}
NINES_SHOWN = "9" * 79 + "…"


def body_detail(pointer: str, message: str) -> dict[str, Any]:
    return bad_data({"path": pointer, "message": message})


def unknown_root_role(shown: str) -> dict[str, Any]:
    return error_body(
        "BadDataError",
        f"There is no root role with id {shown}. "
        "Use one of: 1 (Admin), 2 (Editor), 3 (Viewer).",
        [
            {
                "path": "/body/rootRole",
                "message": f"The root role {shown} does not exist.",
            }
        ],
    )


def account_with(**fields: str) -> bytes:
    """A create body whose fields are raw JSON text, to write what json cannot."""
    values = {"username": '"a"', "name": '"b"', "rootRole": "1", **fields}
    members = ", ".join(f'"{key}": {value}' for key, value in values.items())
    return ("{" + members + "}").encode()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            b'{"username": "a",',
            body_detail(
                "/body",
                "The request body is not valid JSON: Expecting property name "
                "enclosed in double quotes: line 1 column 18 (char 17).",
            ),
            id="malformed-json",
        ),
        pytest.param(
            b'{"username": "\xff\xfe", "name": "b", "rootRole": 1}',
            body_detail("/body", "The request body is not valid UTF-8 (byte 14)."),
            id="invalid-utf-8-in-a-string",
        ),
        pytest.param(
            account_with(rootRole="1e400"),
            body_detail(
                "/body/rootRole",
                "The `/body/rootRole` property must be integer. You sent Infinity.",
            ),
            id="1e400",
        ),
        pytest.param(
            account_with(rootRole="1e309"),
            body_detail(
                "/body/rootRole",
                "The `/body/rootRole` property must be integer. You sent Infinity.",
            ),
            id="float-overflowing-to-infinity",
        ),
        pytest.param(
            account_with(rootRole="-1e-400"),
            body_detail(
                "/body/rootRole",
                "The `/body/rootRole` property must be integer. You sent -0.0.",
            ),
            id="float-underflowing-to-zero",
        ),
        pytest.param(
            account_with(rootRole="9" * 100),
            unknown_root_role(NINES_SHOWN),
            id="100-digit-integer",
        ),
        pytest.param(
            account_with(rootRole="9" * 400),
            body_detail(
                "/body/rootRole",
                "The `/body/rootRole` property must be integer. You sent Infinity.",
            ),
            id="400-digit-integer-past-any-double",
        ),
        pytest.param(
            account_with(rootRole="-1" + "0" * 5000),
            body_detail(
                "/body/rootRole",
                "The `/body/rootRole` property must be integer. You sent -Infinity.",
            ),
            id="integer-past-python-digit-limit",
        ),
        pytest.param(
            account_with(extra="[" * 10_000 + "]" * 10_000),
            body_detail(
                "/body", "The request body is nested more than 64 levels deep."
            ),
            id="10000-deep",
        ),
        pytest.param(
            account_with(username='{"$gt": ""}'),
            body_detail(
                "/body/username",
                'The `/body/username` property must be string. You sent {"$gt": ""}.',
            ),
            id="operator-injection-object",
        ),
        pytest.param(
            account_with(username='"' + "x" * 90_000 + '"', name="5"),
            body_detail(
                "/body/name", "The `/body/name` property must be string. You sent 5."
            ),
            id="long-string-beside-a-wrong-type",
        ),
    ],
)
def test_hostile_create_bodies_answer_400_naming_the_place(
    client: FlaskClient, body: bytes, expected: dict[str, Any]
) -> None:
    response = client.post(ACCOUNTS, data=body, headers=JSON_ADMIN)

    assert response.status_code == 400
    assert response.get_json() == expected


def test_a_100_digit_root_role_in_an_update_answers_400(
    client: FlaskClient,
) -> None:
    created = client.post(ACCOUNTS, data=account_with(), headers=JSON_ADMIN)

    response = client.put(
        f"{ACCOUNTS}/{created.get_json()['id']}",
        data=b'{"rootRole": ' + b"9" * 100 + b"}",
        headers=JSON_ADMIN,
    )

    assert response.status_code == 400
    assert response.get_json() == unknown_root_role(NINES_SHOWN)


def test_a_90_kb_username_is_stored_whole(client: FlaskClient) -> None:
    username = "u" * 90 * 1024

    created = client.post(
        ACCOUNTS,
        json={"username": username, "name": "n", "rootRole": 2},
        headers=ADMIN_HEADERS,
    )
    listed = client.get(ACCOUNTS, headers=ADMIN_HEADERS).get_json()

    assert created.status_code == 201
    assert created.get_json()["username"] == username
    assert [account["username"] for account in listed["serviceAccounts"]] == [username]


def test_a_repeated_90_kb_username_is_refused_with_a_short_message(
    client: FlaskClient,
) -> None:
    body = {"username": "u" * 90 * 1024, "name": "n", "rootRole": 2}
    client.post(ACCOUNTS, json=body, headers=ADMIN_HEADERS)

    response = client.post(ACCOUNTS, json=body, headers=ADMIN_HEADERS)

    assert response.status_code == 409
    assert response.get_json() == error_body(
        "NameExistsError",
        f"A service account or user with the username {'u' * 79 + '…'!r} already "
        "exists. Choose another username.",
    )


def _padded(frame: bytes, size: int) -> bytes:
    """The frame with its one empty string padded so the body is ``size`` bytes."""
    return frame.replace(b'""', b'"' + b"a" * (size - len(frame)) + b'"', 1)


@pytest.mark.parametrize(
    ("method", "path", "frame"),
    [
        pytest.param(
            "POST",
            ACCOUNTS,
            b'{"username": "", "name": "b", "rootRole": 1}',
            id="create",
        ),
        pytest.param("PUT", f"{ACCOUNTS}/1", b'{"name": ""}', id="update"),
        pytest.param(
            "POST",
            f"{ACCOUNTS}/1/token",
            b'{"description": "", "expiresAt": "2030-01-01T00:00:00Z"}',
            id="create-token",
        ),
    ],
)
@pytest.mark.parametrize("headers", [JSON_ADMIN, {"Content-Type": "application/json"}])
def test_a_101_kb_body_answers_413_before_anything_else(
    client: FlaskClient, method: str, path: str, frame: bytes, headers: dict[str, str]
) -> None:
    response = client.open(
        path, method=method, data=_padded(frame, 101 * 1024), headers=headers
    )

    assert response.status_code == 413
    assert response.get_json() == error_body(
        "PayloadTooLargeError", "request entity too large"
    )


@pytest.mark.parametrize(
    "username",
    [
        pytest.param("a\u0000b", id="nul"),
        pytest.param("<script>alert(1)</script>", id="markup"),
        pytest.param("'; DROP TABLE users; --", id="sql"),
        pytest.param("\u202eevil", id="bidi-override"),
        pytest.param("😀" * 100, id="astral-plane"),
    ],
)
def test_odd_but_valid_usernames_are_stored_and_echoed_exactly(
    client: FlaskClient, username: str
) -> None:
    created = client.post(
        ACCOUNTS,
        json={"username": username, "name": "n", "rootRole": 2},
        headers=ADMIN_HEADERS,
    )
    listed = client.get(ACCOUNTS, headers=ADMIN_HEADERS).get_json()

    assert created.status_code == 201
    assert listed["serviceAccounts"][-1]["username"] == username


def test_headers_just_under_the_limit_are_served(client: FlaskClient) -> None:
    response = client.get(
        ACCOUNTS, headers={**ADMIN_HEADERS, "X-Padding": "a" * 15_000}
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body", "pointer", "problem"),
    [
        pytest.param(
            "PUT",
            "/__mock/state",
            {"serviceAccounts": [{"id": 2**63, "username": "a", "rootRole": 1}]},
            "/body/serviceAccounts/0/id",
            "9223372036854775808 is greater than the maximum of 9007199254740991",
            id="fixture-account-id",
        ),
        pytest.param(
            "POST",
            "/__mock/faults",
            {"operation": "*", "latencyMs": 0, "times": 2**63},
            "/body/times",
            "9223372036854775808 is greater than the maximum of 9007199254740991",
            id="fault-times",
        ),
        pytest.param(
            "DELETE",
            f"/__mock/faults/{2**63}",
            None,
            "/params/faultId",
            "9223372036854775808 is greater than the maximum of 9007199254740991",
            id="fault-id",
        ),
        pytest.param(
            "DELETE",
            "/__mock/faults/-1",
            None,
            "/params/faultId",
            "-1 is less than the minimum of 1",
            id="negative-fault-id",
        ),
    ],
)
def test_control_integers_past_what_javascript_holds_answer_400(
    client: FlaskClient,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    pointer: str,
    problem: str,
) -> None:
    response = client.open(path, method=method, json=body)

    assert response.status_code == 400
    assert response.get_json() == body_detail(
        pointer, f"The `{pointer}` property is invalid: {problem}"
    )
