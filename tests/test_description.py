"""Our OpenAPI description against Unleash's published one, and the comparator."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from openapi_spec_validator import validate

from conformance.differences import (
    ABSENT,
    Difference,
    DifferenceKind,
    compare_structures,
)
from conformance.resolver import JSONObject, JSONValue
from conformance.structure import (
    HTTP_METHODS,
    Structure,
    StructureError,
    extract_structure,
    load_document,
    main,
)

ROOT = Path(__file__).resolve().parents[1]
DESCRIPTION = ROOT / "openapi" / "service-accounts.yaml"
REFERENCE_COPY = ROOT / "tests" / "data" / "reference-structure.json"
README = ROOT / "README.md"
CORRECTIONS_HEADING = "## Where our description differs from Unleash's published one"

ACCOUNTS = "/api/admin/service-account"
ACCOUNT = "/api/admin/service-account/{id}"
TOKENS = "/api/admin/service-account/{id}/token"
TOKEN = "/api/admin/service-account/{id}/token/{tokenId}"
REQUEST_SCHEMA = ("requestBody", "content", "application/json", "schema")

# The structure of every 4xx response Unleash documents for these operations.
ERROR_RESPONSE: JSONObject = {
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "message": {"type": "string"},
                },
            }
        }
    }
}

Mutation = Callable[[dict[str, Any]], None]


@pytest.fixture
def description() -> dict[str, Any]:
    return load_document(DESCRIPTION)


@pytest.fixture
def reference_structure() -> Structure:
    return cast(Structure, json.loads(REFERENCE_COPY.read_text(encoding="utf-8")))


@pytest.fixture
def reference_path() -> Path:
    shared = os.environ.get("UNLEASH_SHARED_DIR")
    base = Path(shared) if shared else Path(__file__).resolve().parents[2] / "shared"
    path = base / "reference" / "unleash-service-accounts.openapi.yaml"
    if not path.is_file():
        pytest.skip(
            f"Unleash's published reference is not at {path}; set UNLEASH_SHARED_DIR "
            "to the shared directory that holds reference/ to run this test."
        )

    return path


def _set(*keys: str | int, value: object) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        node: Any = document
        for key in keys[:-1]:
            node = node[key]

        node[keys[-1]] = value

    return mutate


def _delete(*keys: str | int) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        node: Any = document
        for key in keys[:-1]:
            node = node[key]

        del node[keys[-1]]

    return mutate


def _schema(name: str, *keys: str) -> tuple[str, ...]:
    return ("components", "schemas", name, *keys)


def _changed(
    scope: str, path: tuple[str, ...], old: JSONValue, new: JSONValue
) -> Difference:
    return Difference(scope, path, DifferenceKind.VALUE_CHANGED, old, new)


def _corrections(node: object) -> Iterator[dict[str, Any]]:
    """Every node of a parsed document that carries an ``x-unleash-correction``."""
    if isinstance(node, dict):
        if "x-unleash-correction" in node:
            yield node

        for value in node.values():
            yield from _corrections(value)
    elif isinstance(node, list):
        for item in node:
            yield from _corrections(item)


def _operations(document: dict[str, Any]) -> Iterator[tuple[Any, Any]]:
    """Each operation of a document with the path item that holds it."""
    for path_item in document["paths"].values():
        for method, operation in path_item.items():
            if method in HTTP_METHODS:
                yield path_item, operation


def _response_corrections(document: dict[str, Any]) -> list[tuple[str, str]]:
    """The (operationId, status) of each response that carries a correction."""
    return [
        (operation["operationId"], str(status))
        for _, operation in _operations(document)
        for status, response in operation["responses"].items()
        if "x-unleash-correction" in response
    ]


def _prose(node: object) -> Iterator[str]:
    """Every description and summary sentence in a document, whitespace normalised."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "summary") and isinstance(value, str):
                yield " ".join(value.split())
            else:
                yield from _prose(value)
    elif isinstance(node, list):
        for item in node:
            yield from _prose(item)


def _section(markdown: str, heading: str) -> str:
    _, found, rest = markdown.partition(heading + "\n")
    assert found, f"README.md has no heading {heading!r}"
    return rest.split("\n## ", 1)[0]


def test_description_is_a_valid_openapi_3_0_3_document(
    description: dict[str, Any],
) -> None:
    validate(description)

    assert description["openapi"] == "3.0.3"


def test_description_has_the_structure_unleash_publishes(
    description: dict[str, Any], reference_structure: Structure
) -> None:
    differences = compare_structures(
        reference_structure, extract_structure(description)
    )

    assert differences == [], "Our description departs from Unleash's:\n" + "\n".join(
        map(str, differences)
    )


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(
            _set(
                *_schema("createPatSchema", "properties", "expiresAt", "type"),
                value="integer",
            ),
            [
                _changed(
                    f"POST {TOKENS}",
                    (*REQUEST_SCHEMA, "properties", "expiresAt", "type"),
                    "string",
                    "integer",
                ),
                _changed(
                    "schemas",
                    ("createPatSchema", "properties", "expiresAt", "type"),
                    "string",
                    "integer",
                ),
            ],
            id="property-type-changed",
        ),
        pytest.param(
            _set(
                *_schema("createServiceAccountSchema", "required"),
                value=["username", "name"],
            ),
            [
                _changed(
                    f"POST {ACCOUNTS}",
                    (*REQUEST_SCHEMA, "required"),
                    ["name", "rootRole", "username"],
                    ["name", "username"],
                ),
                _changed(
                    "schemas",
                    ("createServiceAccountSchema", "required"),
                    ["name", "rootRole", "username"],
                    ["name", "username"],
                ),
            ],
            id="required-field-dropped",
        ),
        pytest.param(
            _set(
                *_schema("updateServiceAccountSchema", "additionalProperties"),
                value=False,
            ),
            [
                _changed(
                    f"PUT {ACCOUNT}",
                    (*REQUEST_SCHEMA, "additionalProperties"),
                    True,
                    False,
                ),
                _changed(
                    "schemas",
                    ("updateServiceAccountSchema", "additionalProperties"),
                    True,
                    False,
                ),
            ],
            id="additional-properties-flipped",
        ),
        pytest.param(
            _delete("paths", ACCOUNT, "delete", "responses", "404"),
            [
                Difference(
                    f"DELETE {ACCOUNT}",
                    ("responses", "404"),
                    DifferenceKind.STATUS_MISSING,
                    ERROR_RESPONSE,
                    ABSENT,
                ),
            ],
            id="status-removed",
        ),
        pytest.param(
            _set(
                "paths",
                ACCOUNTS,
                "get",
                "responses",
                "404",
                value={"description": "Gone."},
            ),
            [
                Difference(
                    f"GET {ACCOUNTS}",
                    ("responses", "404"),
                    DifferenceKind.STATUS_ADDED,
                    ABSENT,
                    {},
                ),
            ],
            id="unmarked-status-added",
        ),
        pytest.param(
            _set("paths", ACCOUNTS, "get", "operationId", value="listServiceAccounts"),
            [
                _changed(
                    f"GET {ACCOUNTS}",
                    ("operationId",),
                    "getServiceAccounts",
                    "listServiceAccounts",
                ),
            ],
            id="operation-id-renamed",
        ),
        pytest.param(
            _set(
                "paths",
                TOKEN,
                "delete",
                "parameters",
                1,
                "schema",
                "type",
                value="integer",
            ),
            [
                _changed(
                    f"DELETE {TOKEN}",
                    ("parameters", "path", "tokenId", "schema", "type"),
                    "string",
                    "integer",
                ),
            ],
            id="parameter-type-changed",
        ),
        pytest.param(
            _delete(
                "paths", ACCOUNTS, "post", "responses", "201", "headers", "location"
            ),
            [
                Difference(
                    f"POST {ACCOUNTS}",
                    ("responses", "201", "headers", "location"),
                    DifferenceKind.KEY_MISSING,
                    {"schema": {"type": "string", "format": "uri"}},
                    ABSENT,
                ),
            ],
            id="location-header-removed",
        ),
        pytest.param(
            _set(
                *_schema("roleSchema", "properties", "project", "nullable"), value=False
            ),
            [
                _changed(
                    f"GET {ACCOUNTS}",
                    (
                        "responses",
                        "200",
                        "content",
                        "application/json",
                        "schema",
                        "properties",
                        "rootRoles",
                        "items",
                        "properties",
                        "project",
                        "nullable",
                    ),
                    True,
                    False,
                ),
                _changed(
                    "schemas",
                    ("roleSchema", "properties", "project", "nullable"),
                    True,
                    False,
                ),
                _changed(
                    "schemas",
                    (
                        "serviceAccountsSchema",
                        "properties",
                        "rootRoles",
                        "items",
                        "properties",
                        "project",
                        "nullable",
                    ),
                    True,
                    False,
                ),
            ],
            id="nullable-changed",
        ),
    ],
)
def test_comparator_reports_exactly_what_changed(
    description: dict[str, Any],
    reference_structure: Structure,
    mutate: Mutation,
    expected: list[Difference],
) -> None:
    mutate(description)

    differences = compare_structures(
        reference_structure, extract_structure(description)
    )

    assert differences == expected


def test_node_marked_as_added_is_left_out_of_the_structure(
    description: dict[str, Any],
) -> None:
    responses = extract_structure(description)["operations"][f"POST {TOKENS}"][
        "responses"
    ]

    assert isinstance(responses, dict)
    assert "400" not in responses


def test_same_node_without_the_marker_is_reported_as_a_difference(
    description: dict[str, Any], reference_structure: Structure
) -> None:
    del description["paths"][TOKENS]["post"]["responses"]["400"]["x-unleash-correction"]

    differences = compare_structures(
        reference_structure, extract_structure(description)
    )

    assert differences == [
        Difference(
            f"POST {TOKENS}",
            ("responses", "400"),
            DifferenceKind.STATUS_ADDED,
            ABSENT,
            ERROR_RESPONSE,
        )
    ]


def test_difference_reads_as_one_line_naming_place_and_both_values() -> None:
    difference = _changed(
        f"DELETE {TOKEN}",
        ("parameters", "path", "tokenId", "schema", "type"),
        "string",
        "integer",
    )

    text = str(difference)

    assert text == (
        "value-changed at DELETE /api/admin/service-account/{id}/token/{tokenId}"
        '#/parameters/path/tokenId/schema/type: expected "string", got "integer"'
    )


def test_reference_copy_is_what_extract_prints_for_the_published_reference(
    reference_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["extract", str(reference_path)])

    assert status == 0
    assert capsys.readouterr().out == REFERENCE_COPY.read_text(encoding="utf-8")


def test_description_copies_no_sentence_from_the_published_reference(
    description: dict[str, Any], reference_path: Path
) -> None:
    reference = yaml.safe_load(reference_path.read_text(encoding="utf-8"))

    copied = set(_prose(description)) & set(_prose(reference))

    assert copied == set(), "Sentences taken from Unleash's document:\n" + "\n".join(
        sorted(copied)
    )


def test_every_correction_is_on_a_response_and_fully_described(
    description: dict[str, Any],
) -> None:
    markers = [node["x-unleash-correction"] for node in _corrections(description)]

    assert len(markers) == len(_response_corrections(description))
    for marker in markers:
        assert set(marker) == {
            "change",
            "published",
            "actual",
            "evidence",
            "confidence",
        }
        assert marker["change"] in ("added", "annotated")
        assert marker["confidence"] in ("seen", "inferred")


def test_readme_lists_every_correction_and_no_other(
    description: dict[str, Any],
) -> None:
    section = _section(README.read_text(encoding="utf-8"), CORRECTIONS_HEADING)
    rows = [
        [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("|")
    ][2:]  # The header row and the separator row name no correction.

    listed = sorted((row[0], row[1]) for row in rows)

    assert listed == sorted(_response_corrections(description))


def test_links_name_existing_operations_and_their_parameters(
    description: dict[str, Any],
) -> None:
    declared = {
        operation["operationId"]: {
            parameter["name"]
            for parameter in [
                *path_item.get("parameters", []),
                *operation.get("parameters", []),
            ]
        }
        for path_item, operation in _operations(description)
    }
    links = [
        (operation["operationId"], link)
        for _, operation in _operations(description)
        for response in operation["responses"].values()
        for link in response.get("links", {}).values()
    ]

    unknown = [
        f"{source} -> {link['operationId']} ({', '.join(link['parameters'])})"
        for source, link in links
        if not set(link["parameters"]) <= declared.get(link["operationId"], set())
    ]

    assert {(source, link["operationId"]) for source, link in links} == {
        ("createServiceAccount", "updateServiceAccount"),
        ("createServiceAccount", "deleteServiceAccount"),
        ("createServiceAccount", "getServiceAccountTokens"),
        ("createServiceAccount", "createServiceAccountToken"),
        ("createServiceAccountToken", "deleteServiceAccountToken"),
        ("createServiceAccountToken", "getServiceAccountTokens"),
    }
    assert unknown == [], "Links to unknown operations or parameters:\n" + "\n".join(
        unknown
    )


def test_operation_moved_to_another_path_is_found_by_its_operation_id() -> None:
    document = {
        "paths": {
            "/api/admin/service-accounts": {
                "get": {"operationId": "getServiceAccounts", "responses": {}}
            }
        }
    }

    structure = extract_structure(document)

    assert structure["operations"] == {
        "GET /api/admin/service-accounts": {
            "operationId": "getServiceAccounts",
            "responses": {},
        }
    }


def test_schema_that_contains_itself_keeps_its_reference() -> None:
    node = {
        "type": "object",
        "properties": {"child": {"$ref": "#/components/schemas/node"}},
    }
    response = {
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/node"}}
        }
    }
    document = {
        "paths": {
            ACCOUNTS: {
                "get": {
                    "operationId": "getServiceAccounts",
                    "responses": {"200": response},
                }
            }
        },
        "components": {"schemas": {"node": node}},
    }

    structure = extract_structure(document)

    assert structure["schemas"] == {
        "node": {
            "type": "object",
            "properties": {"child": {"$ref": "#/components/schemas/node"}},
        }
    }


def test_reference_to_another_file_is_refused_with_what_to_do() -> None:
    response = {"content": {"application/json": {"schema": {"$ref": "other.yaml#/x"}}}}
    document = {
        "paths": {
            ACCOUNTS: {
                "get": {
                    "operationId": "getServiceAccounts",
                    "responses": {"200": response},
                }
            }
        }
    }

    with pytest.raises(StructureError) as caught:
        extract_structure(document)

    assert str(caught.value) == (
        "'other.yaml#/x': only references inside the same document are supported. "
        "Bundle the document into a single file first."
    )
