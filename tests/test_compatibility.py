"""The classifier's rules, each shown on a mutated copy of our description."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from conformance.compatibility import schema_uses
from conformance.contract import load_contract
from conformance.drift import compare_documents
from conformance.verdicts import Direction, Verdict

ACCOUNTS = "/api/admin/service-account"
ACCOUNT = "/api/admin/service-account/{id}"
TOKENS = "/api/admin/service-account/{id}/token"

B, N = Verdict.BREAKING, Verdict.NON_BREAKING
REQUEST_REFUSED = "requests valid today may be refused"
REQUEST_ACCEPTED = "every request valid today is still accepted"
RESPONSE_SURPRISES = "responses may hold values clients do not expect"
RESPONSE_FITS = "every response still fits what clients expect"

Mutation = Callable[[dict[str, Any]], None]


def _node(document: dict[str, Any], *keys: str) -> dict[str, Any]:
    node: dict[str, Any] = document
    for key in keys:
        node = node[key]

    return node


def _schema(document: dict[str, Any], name: str, *keys: str) -> dict[str, Any]:
    return _node(document, "components", "schemas", name, *keys)


def _operation(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    return _node(document, "paths", path, method)


Locate = Callable[[dict[str, Any]], dict[str, Any]]


def _update(locate: Locate, **values: Any) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        locate(document).update(values)

    return mutate


def _pop(locate: Locate, key: str) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        del locate(document)[key]

    return mutate


def _username(document: dict[str, Any]) -> dict[str, Any]:
    return _schema(document, "createServiceAccountSchema", "properties", "username")


def _role_type(document: dict[str, Any]) -> dict[str, Any]:
    return _schema(document, "roleSchema", "properties", "type")


def _rename_pats_schema(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    schemas["tokensSchema"] = schemas.pop("patsSchema")
    content = _operation(document, TOKENS, "get")["responses"]["200"]["content"]
    content["application/json"]["schema"] = {
        "$ref": "#/components/schemas/tokensSchema"
    }


def _add_basic_auth(document: dict[str, Any]) -> None:
    document["components"]["securitySchemes"]["basic"] = {
        "type": "http",
        "scheme": "basic",
    }
    document["security"].append({"basic": []})


def _limit(required: bool) -> Mutation:
    parameter = {
        "name": "limit",
        "in": "query",
        "required": required,
        "schema": {"type": "integer"},
    }
    return _update(
        lambda document: _operation(document, ACCOUNTS, "get"), parameters=[parameter]
    )


def _rulings(before: Mutation | None, after: Mutation) -> list[tuple[Verdict, str]]:
    """Each distinct (verdict, reason) for the drift from ``before`` to ``after``."""
    expected = load_contract()
    if before is not None:
        before(expected)

    actual = copy.deepcopy(expected)
    after(actual)
    report = compare_documents(expected, actual)
    return sorted(
        {(entry.ruling.verdict, entry.ruling.reason) for entry in report.drifts}
    )


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        pytest.param(
            _update(_username, enum=["a", "b"]),
            _update(_username, enum=["a"]),
            [(B, f'enum loses "b" in a request schema: {REQUEST_REFUSED}')],
            id="enum-narrowed-in-request",
        ),
        pytest.param(
            _update(_username, enum=["a"]),
            _update(_username, enum=["a", "b"]),
            [(N, f'enum gains "b" in a request schema: {REQUEST_ACCEPTED}')],
            id="enum-widened-in-request",
        ),
        pytest.param(
            _update(_role_type, enum=["root"]),
            _update(_role_type, enum=["root", "project"]),
            [(B, f'enum gains "project" in a response schema: {RESPONSE_SURPRISES}')],
            id="enum-widened-in-response",
        ),
        pytest.param(
            None,
            _update(
                lambda document: _schema(document, "updateServiceAccountSchema"),
                additionalProperties=False,
            ),
            [
                (
                    B,
                    "the object turns closed (additionalProperties: false) in a "
                    f"request schema: {REQUEST_REFUSED}",
                )
            ],
            id="request-object-closed",
        ),
        pytest.param(
            None,
            _pop(
                lambda document: _schema(document, "roleSchema"),
                "additionalProperties",
            ),
            [(B, f"the object turns open in a response schema: {RESPONSE_SURPRISES}")],
            id="response-object-opened",
        ),
        pytest.param(
            None,
            _update(
                lambda document: _schema(document, "roleSchema", "properties", "name"),
                nullable=True,
            ),
            [(B, f"nullable turns true in a response schema: {RESPONSE_SURPRISES}")],
            id="nullable-added-to-response",
        ),
        pytest.param(
            None,
            _update(
                lambda document: _schema(
                    document, "createPatSchema", "properties", "description"
                ),
                nullable=True,
            ),
            [(N, f"nullable turns true in a request schema: {REQUEST_ACCEPTED}")],
            id="nullable-added-to-request",
        ),
        pytest.param(
            None,
            _update(
                lambda document: _schema(
                    document, "createServiceAccountSchema", "properties", "rootRole"
                ),
                type="number",
            ),
            [(N, f"type widens in a request schema: {REQUEST_ACCEPTED}")],
            id="integer-widened-to-number-in-request",
        ),
        pytest.param(
            None,
            _update(
                lambda document: _schema(document, "roleSchema", "properties", "id"),
                type="number",
            ),
            [(B, f"type widens in a response schema: {RESPONSE_SURPRISES}")],
            id="integer-widened-to-number-in-response",
        ),
        pytest.param(
            None,
            _update(
                lambda document: _schema(document, "roleSchema"),
                required=["id", "type"],
            ),
            [(B, f'required loses "name" in a response schema: {RESPONSE_SURPRISES}')],
            id="response-field-no-longer-required",
        ),
        pytest.param(
            None,
            _update(
                lambda document: _schema(document, "roleSchema"),
                required=["id", "type", "name", "description"],
            ),
            [
                (
                    N,
                    'required gains "description" in a response schema: '
                    f"{RESPONSE_FITS}",
                )
            ],
            id="response-field-made-required",
        ),
        pytest.param(
            None,
            _update(
                lambda document: _schema(document, "createServiceAccountSchema"),
                required=["username", "name"],
            ),
            [(N, f'required loses "rootRole" in a request schema: {REQUEST_ACCEPTED}')],
            id="request-field-no-longer-required",
        ),
        pytest.param(
            None,
            _update(
                lambda document: _schema(
                    document, "createPatSchema", "properties", "description"
                ),
                minLength=1,
            ),
            [(B, f"minLength is added in a request schema: {REQUEST_REFUSED}")],
            id="request-minimum-length-added",
        ),
        pytest.param(
            _update(_username, maxLength=40),
            _update(_username, maxLength=80),
            [(N, f"maxLength rises in a request schema: {REQUEST_ACCEPTED}")],
            id="request-maximum-length-raised",
        ),
        pytest.param(
            None,
            _pop(
                lambda document: _schema(
                    document, "roleSchema", "properties", "project"
                ),
                "type",
            ),
            [(B, f"type is dropped in a response schema: {RESPONSE_SURPRISES}")],
            id="response-type-dropped",
        ),
        pytest.param(
            None,
            _update(_username, default="bot"),
            [
                (
                    B,
                    "the default of a request field changes: the server fills in "
                    "another value where clients leave it out",
                )
            ],
            id="request-default-added",
        ),
        pytest.param(
            None,
            _update(_username, readOnly=True),
            [
                (
                    B,
                    'no rule covers "readOnly" in a request schema, and a gate must '
                    "fail safe: review it by hand",
                )
            ],
            id="keyword-without-a-rule",
        ),
        pytest.param(
            None,
            _limit(required=True),
            [(B, 'new required query parameter "limit": clients do not send it today')],
            id="required-parameter-added",
        ),
        pytest.param(
            None,
            _limit(required=False),
            [
                (
                    N,
                    'new optional query parameter "limit": requests without it stay '
                    "valid",
                )
            ],
            id="optional-parameter-added",
        ),
        pytest.param(
            None,
            _update(
                lambda document: _operation(document, ACCOUNTS, "post")["requestBody"],
                required=False,
            ),
            [
                (
                    N,
                    "the request body is no longer required: requests with one stay "
                    "valid",
                )
            ],
            id="request-body-made-optional",
        ),
        pytest.param(
            None,
            _update(
                lambda document: _operation(document, ACCOUNTS, "post")["requestBody"][
                    "content"
                ],
                **{"application/x-www-form-urlencoded": {}},
            ),
            [
                (
                    N,
                    "the server takes application/x-www-form-urlencoded bodies as "
                    "well: the media types clients send today still work",
                )
            ],
            id="request-media-type-added",
        ),
        pytest.param(
            None,
            _update(
                lambda document: _operation(document, ACCOUNT, "delete")["responses"],
                **{"204": {"description": "Gone."}},
            ),
            [
                (
                    B,
                    "204 is newly documented: clients that check for the status "
                    "promised today may get this one instead",
                )
            ],
            id="success-status-added",
        ),
        pytest.param(
            None,
            _pop(
                lambda document: _operation(document, ACCOUNTS, "post")["responses"][
                    "201"
                ]["headers"],
                "location",
            ),
            [
                (
                    B,
                    "the 201 response loses header location: clients that read it, "
                    "as they read location to find what they created, find nothing",
                )
            ],
            id="response-header-removed",
        ),
        pytest.param(
            None,
            _pop(
                lambda document: _operation(document, ACCOUNT, "put")["responses"][
                    "200"
                ],
                "content",
            ),
            [
                (
                    B,
                    "the 200 response loses its body: clients that read it find none",
                )
            ],
            id="response-body-removed",
        ),
        pytest.param(
            None,
            _update(
                lambda document: _operation(document, ACCOUNT, "put")["responses"][
                    "200"
                ]["content"],
                **{"application/yaml": {}},
            ),
            [
                (
                    N,
                    "the 200 response may also come as application/yaml: clients "
                    "that accept today's media types still get one",
                )
            ],
            id="response-media-type-added",
        ),
        pytest.param(
            None,
            _add_basic_auth,
            [
                (
                    N,
                    'security scheme "basic" is new: the ways clients authenticate '
                    "today still work",
                ),
                (
                    N,
                    'the document accepts {"basic": []} as well: the credentials '
                    "clients send today still work",
                ),
            ],
            id="security-alternative-added",
        ),
        pytest.param(
            None,
            _update(
                lambda document: _operation(document, ACCOUNTS, "get"), security=[]
            ),
            [
                (
                    B,
                    "the operation lists no security requirement any more: the "
                    "contract no longer says how clients authenticate",
                )
            ],
            id="operation-security-dropped",
        ),
        pytest.param(
            None,
            _update(
                lambda document: _operation(document, ACCOUNTS, "get"),
                operationId="listServiceAccounts",
            ),
            [
                (
                    B,
                    "generated clients name their methods after the operationId, "
                    "and the mock routes by it: the wire is the same, the code is not",
                )
            ],
            id="operation-id-renamed",
        ),
        pytest.param(
            None,
            _update(
                lambda document: _operation(document, ACCOUNTS, "get"), deprecated=True
            ),
            [(N, "deprecation warns clients; the operation still works")],
            id="operation-deprecated",
        ),
        pytest.param(
            None,
            _rename_pats_schema,
            [
                (
                    N,
                    "a component's name is not on the wire; the operations that use "
                    "it are compared on their own",
                )
            ],
            id="component-schema-renamed",
        ),
    ],
)
def test_rule_rules_on_its_change_as_decided(
    before: Mutation | None, after: Mutation, expected: list[tuple[Verdict, str]]
) -> None:
    rulings = _rulings(before, after)

    assert rulings == expected


def test_schema_used_both_ways_is_judged_by_the_way_it_breaks() -> None:
    def share_role_schema(document: dict[str, Any]) -> None:
        # The account update now takes a whole role, so roleSchema travels both ways.
        properties = _schema(document, "updateServiceAccountSchema", "properties")
        properties["role"] = {"$ref": "#/components/schemas/roleSchema"}

    def drop_required_name(document: dict[str, Any]) -> None:
        _schema(document, "roleSchema")["required"] = ["id", "type"]

    rulings = _rulings(share_role_schema, drop_required_name)

    assert rulings == [
        (B, f'required loses "name" in a response schema: {RESPONSE_SURPRISES}'),
        (N, f'required loses "name" in a request schema: {REQUEST_ACCEPTED}'),
    ]


def test_schema_uses_follow_each_reference_to_its_direction() -> None:
    description = load_contract()

    uses = schema_uses(description)

    request, response = frozenset({Direction.REQUEST}), frozenset({Direction.RESPONSE})
    assert uses == {
        "createPatSchema": request,
        "createServiceAccountSchema": request,
        "updateServiceAccountSchema": request,
        "patSchema": response,
        "patsSchema": response,
        "roleSchema": response,
        "serviceAccountSchema": response,
        "serviceAccountsSchema": response,
    }
