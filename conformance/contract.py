"""Our description of the seven operations, as the suite reads it.

The suite checks a server against the same document the mock serves. Beyond
what Schemathesis does with it, the suite asks it one question that a schema
check cannot answer softly: which keys of a response are undeclared in a
closed object (``additionalProperties: false``), so that ``--lenient`` can
report them as warnings instead of failures.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

DESCRIPTION_PATH = (
    Path(__file__).resolve().parent.parent / "openapi" / "service-accounts.yaml"
)


def load_contract(path: Path = DESCRIPTION_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as stream:
        document: dict[str, Any] = yaml.safe_load(stream)

    return document


def opened(document: dict[str, Any]) -> dict[str, Any]:
    """A copy whose closed objects accept undeclared keys.

    Schemathesis checks response schemas with this copy; undeclared keys are
    judged by the suite's own ``undeclared_keys`` check, strict or lenient.
    """
    relaxed = copy.deepcopy(document)

    for node in _nodes(relaxed):
        if node.get("additionalProperties") is False:
            del node["additionalProperties"]

    return relaxed


def _nodes(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value

        for child in value.values():
            yield from _nodes(child)
    elif isinstance(value, list):
        for child in value:
            yield from _nodes(child)


class Contract:
    """Lookups into the description by operationId and status."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._operations = {
            operation["operationId"]: operation
            for path_item in document["paths"].values()
            for operation in path_item.values()
            if isinstance(operation, dict) and "operationId" in operation
        }

    def documented_statuses(self, operation_id: str) -> list[int]:
        responses = self._operations[operation_id]["responses"]
        return sorted(int(status) for status in responses if status.isdigit())

    def response_schema(self, operation_id: str, status: int) -> dict[str, Any] | None:
        operation = self._operations.get(operation_id)

        if operation is None:
            return None

        response = self._resolve(operation["responses"].get(str(status), {}))
        content = response.get("content", {})
        media = content.get("application/json", {})
        schema = media.get("schema")
        return self._resolve(schema) if schema else None

    def undeclared_keys(
        self, schema: dict[str, Any], value: Any, at: str = ""
    ) -> list[str]:
        """JSON pointers of keys in ``value`` that closed objects don't declare."""
        schema = self._resolve(schema)
        found: list[str] = []

        if isinstance(value, dict) and schema.get("type", "object") == "object":
            properties = schema.get("properties", {})

            for key, child in value.items():
                pointer = f"{at}/{key}"

                if key in properties:
                    found += self.undeclared_keys(properties[key], child, pointer)
                elif schema.get("additionalProperties") is False:
                    found.append(pointer)
        elif isinstance(value, list) and "items" in schema:
            for index, child in enumerate(value):
                found += self.undeclared_keys(schema["items"], child, f"{at}/{index}")

        return found

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.document

            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]

            node = target

        return node
