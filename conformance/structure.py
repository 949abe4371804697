"""The prose-free structure of the seven service-account operations.

Two OpenAPI documents promise the same contract for these operations when their
structures are equal. A structure keeps what a client or server can rely on (paths,
parameters, bodies, schemas, status codes, headers, security) with every ``$ref``
resolved, and drops the prose (descriptions, examples, tags, links, ``x-*`` keys).
Nodes of our own description marked ``x-unleash-correction`` with ``change: added``
are dropped as well: they document what the real server does beyond the published
document, so they have no counterpart there.

Run ``python -m conformance.structure extract DOCUMENT`` to print a structure as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple, TypedDict

import yaml

from conformance.resolver import (
    SCHEMA_PREFIX,
    JSONObject,
    JSONValue,
    Resolver,
    StructureError,
    as_object,
)

__all__ = [
    "HTTP_METHODS",
    "SERVICE_ACCOUNT_OPERATIONS",
    "Operation",
    "Structure",
    "StructureError",
    "dump_structure",
    "extract_structure",
    "load_document",
]


class Operation(NamedTuple):
    """One service-account operation: where it lives and what it is called."""

    method: str
    path: str
    operation_id: str

    @property
    def key(self) -> str:
        """The operation's name in a structure: ``GET /api/admin/service-account``."""
        return f"{self.method.upper()} {self.path}"


SERVICE_ACCOUNT_OPERATIONS: tuple[Operation, ...] = (
    Operation("get", "/api/admin/service-account", "getServiceAccounts"),
    Operation("post", "/api/admin/service-account", "createServiceAccount"),
    Operation("put", "/api/admin/service-account/{id}", "updateServiceAccount"),
    Operation("delete", "/api/admin/service-account/{id}", "deleteServiceAccount"),
    Operation(
        "get", "/api/admin/service-account/{id}/token", "getServiceAccountTokens"
    ),
    Operation(
        "post", "/api/admin/service-account/{id}/token", "createServiceAccountToken"
    ),
    Operation(
        "delete",
        "/api/admin/service-account/{id}/token/{tokenId}",
        "deleteServiceAccountToken",
    ),
)


class Structure(TypedDict):
    """What two documents must agree on; see the module docstring."""

    operations: dict[str, JSONObject]
    schemas: dict[str, JSONObject]
    securitySchemes: dict[str, JSONObject]
    security: list[JSONValue]


HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _find_operation(
    document: dict[str, Any], wanted: Operation
) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    """The path, path item and operation for ``wanted``, if the document has it.

    Looks first at the expected method and path, then for the operationId anywhere,
    so that an operation a newer document moved is still found (under its new key).
    """
    paths = document.get("paths") or {}
    path_item = paths.get(wanted.path)
    if isinstance(path_item, dict) and isinstance(path_item.get(wanted.method), dict):
        return wanted.path, path_item, path_item[wanted.method]

    for path, item in paths.items():
        for method in HTTP_METHODS:
            operation = item.get(method) if isinstance(item, dict) else None
            if (
                isinstance(operation, dict)
                and operation.get("operationId") == wanted.operation_id
            ):
                return str(path), item, operation

    return None


def _operation_structure(
    resolver: Resolver, key: str, path_item: dict[str, Any], operation: dict[str, Any]
) -> JSONObject:
    """An operation's structure, with its parameters keyed by location, then name."""
    rv = as_object(
        resolver.resolve({k: v for k, v in operation.items() if k != "parameters"}), key
    )
    rv.pop("servers", None)  # Where a server runs is deployment, not contract.

    # Operation-level parameters override path-level ones with the same name and
    # location (OpenAPI 3.0.3, Operation Object, "parameters").
    parameters: dict[str, JSONObject] = {}
    declared = [
        *(path_item.get("parameters") or []),
        *(operation.get("parameters") or []),
    ]
    for parameter in declared:
        resolved = as_object(resolver.resolve(parameter), f"{key} parameters")
        location = str(resolved.pop("in", ""))
        name = str(resolved.pop("name", ""))
        parameters.setdefault(location, {})[name] = resolved

    if parameters:
        rv["parameters"] = dict(parameters)

    return rv


def _requirement_names(requirements: Any) -> set[str]:
    """The security scheme names a list of security requirements mentions."""
    return {str(name) for requirement in requirements or [] for name in requirement}


def extract_structure(document: dict[str, Any]) -> Structure:
    """The structure of the service-account operations in a parsed OpenAPI document.

    Operations the document lacks are absent from the result. Component schemas and
    security schemes are limited to those the operations use, so a whole Unleash
    document (some 256 paths) yields the same shape as our seven-operation one.
    """
    resolver = Resolver(document)
    operations: dict[str, JSONObject] = {}
    scheme_names = _requirement_names(document.get("security"))
    for wanted in SERVICE_ACCOUNT_OPERATIONS:
        found = _find_operation(document, wanted)
        if found is None:
            continue

        path, path_item, operation = found
        key = Operation(wanted.method, path, wanted.operation_id).key
        operations[key] = _operation_structure(resolver, key, path_item, operation)
        scheme_names |= _requirement_names(operation.get("security"))

    # Resolving one schema can name further ones; repeat until nothing new turns up.
    schemas: dict[str, JSONObject] = {}
    while pending := resolver.schema_names - schemas.keys():
        name = min(pending)
        ref = SCHEMA_PREFIX + name
        schemas[name] = as_object(resolver.resolve({"$ref": ref}), ref)

    components = document.get("components") or {}
    available = components.get("securitySchemes") or {}
    schemes = {
        name: as_object(resolver.resolve(available[name]), f"securitySchemes {name}")
        for name in sorted(scheme_names)
        if name in available
    }
    security = [resolver.resolve_names(item) for item in document.get("security") or []]
    return Structure(
        operations=operations,
        schemas=dict(sorted(schemas.items())),
        securitySchemes=schemes,
        security=security,
    )


def load_document(path: Path) -> dict[str, Any]:
    """Parse an OpenAPI document from a YAML or JSON file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise StructureError(
            str(path), f"cannot be read ({error.strerror})", "Check the path."
        ) from error

    try:
        # json is much faster than yaml for a 2 MB document such as Unleash's own.
        document = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise StructureError(
            str(path), f"is not valid JSON or YAML ({error})", "Fix the syntax."
        ) from error

    if not isinstance(document, dict):
        raise StructureError(
            str(path),
            f"holds a {type(document).__name__}, not a mapping",
            "Pass an OpenAPI document.",
        )

    return document


def dump_structure(structure: Structure) -> str:
    """A structure as pretty, key-sorted JSON text that diffs well under git."""
    return json.dumps(structure, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m conformance.structure",
        description="Work with the structure of Unleash's service-account operations.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    extract = commands.add_parser(
        "extract", help="print the prose-free structure of a document as JSON"
    )
    extract.add_argument(
        "document", type=Path, help="an OpenAPI document, YAML or JSON"
    )
    args = parser.parse_args(argv)

    try:
        structure = extract_structure(load_document(args.document))
    except StructureError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    sys.stdout.write(dump_structure(structure))
    return 0


if __name__ == "__main__":
    sys.exit(main())
