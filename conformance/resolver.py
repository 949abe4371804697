"""Resolving an OpenAPI document into plain, prose-free JSON values.

The walk here resolves every local ``$ref``, drops prose (descriptions, examples,
tags, links and ``x-*`` keys) and drops the nodes our own description marks as
documented additions, so that what remains can be compared with another document.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypeAlias

JSONValue: TypeAlias = (
    bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"] | None
)
JSONObject: TypeAlias = dict[str, JSONValue]


@dataclass
class StructureError(Exception):
    """A document whose structure cannot be read or resolved."""

    where: str
    problem: str
    remedy: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}. {self.remedy}"


PROSE_KEYS = frozenset(
    {"description", "summary", "example", "examples", "externalDocs", "title", "tags"}
    | {"links"}  # Links are our addition for stateful testing, not part of a contract.
)
# Under these keys the child keys are names (a property called "description", a
# status code), not OpenAPI keywords, so they must never be taken for prose.
NAME_MAPS = frozenset(
    {"properties", "patternProperties", "responses", "headers", "content"}
    | {"encoding", "schemas", "securitySchemes", "callbacks", "variables", "mapping"}
)
# Values under these keys are data the schema describes, copied as they are.
DATA_KEYS = frozenset({"default", "enum"})
SCHEMA_PREFIX = "#/components/schemas/"


def is_documented_addition(node: object) -> bool:
    """Whether ``node`` carries ``x-unleash-correction`` with ``change: added``."""
    if not isinstance(node, dict):
        return False

    correction = node.get("x-unleash-correction")
    return isinstance(correction, dict) and correction.get("change") == "added"


class Resolver:
    """Walks a document, resolving ``$ref`` and dropping prose and additions."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.schema_names: set[str] = set()
        self._resolving: list[str] = []

    def resolve(self, node: Any) -> JSONValue:
        """The structure of an OpenAPI or JSON Schema object (or a list of them)."""
        if isinstance(node, list):
            return [
                self.resolve(item) for item in node if not is_documented_addition(item)
            ]

        if not isinstance(node, dict):
            return _scalar(node)

        if isinstance(node.get("$ref"), str):
            return self._dereference(node["$ref"])

        rv: JSONObject = {}
        for key, value in node.items():
            key = str(key)
            if (
                key in PROSE_KEYS
                or key.startswith("x-")
                or is_documented_addition(value)
            ):
                continue

            if key in NAME_MAPS:
                rv[key] = self.resolve_names(value, lower=key == "headers")
            elif key == "security" and isinstance(value, list):
                rv[key] = [self.resolve_names(requirement) for requirement in value]
            elif key in DATA_KEYS:
                rv[key] = json.loads(json.dumps(value, default=str))
            elif key == "required" and isinstance(value, list):
                # The order of required properties carries no meaning.
                rv[key] = list[JSONValue](sorted(str(name) for name in value))
            else:
                rv[key] = self.resolve(value)

        return rv

    def resolve_names(self, node: Any, *, lower: bool = False) -> JSONValue:
        """The structure of a map from names to objects; ``lower`` folds header case."""
        if not isinstance(node, dict):
            return self.resolve(node)

        return {
            # YAML reads an unquoted status code such as 200 as an integer.
            (str(name).lower() if lower else str(name)): self.resolve(value)
            for name, value in node.items()
            if not is_documented_addition(value)
        }

    def _dereference(self, ref: str) -> JSONValue:
        if ref in self._resolving:
            # A schema that contains itself: keep the reference, which compares
            # equal to the same cycle in another document.
            return {"$ref": ref}

        if ref.startswith(SCHEMA_PREFIX):
            self.schema_names.add(ref.removeprefix(SCHEMA_PREFIX))

        self._resolving.append(ref)
        try:
            return self.resolve(_pointer_target(self.document, ref))
        finally:
            self._resolving.pop()


def _pointer_target(document: dict[str, Any], ref: str) -> Any:
    """The node a local ``$ref`` such as ``#/components/schemas/patSchema`` names."""
    if not ref.startswith("#/"):
        raise StructureError(
            repr(ref),
            "only references inside the same document are supported",
            "Bundle the document into a single file first.",
        )

    node: Any = document
    for token in ref[2:].split("/"):
        # RFC 6901: "~1" stands for "/" and "~0" for "~", decoded in this order.
        token = token.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or token not in node:
            raise StructureError(
                repr(ref), "nothing in the document has this address", "Fix the $ref."
            )

        node = node[token]

    return node


def as_object(value: JSONValue, where: str) -> JSONObject:
    """``value`` as a mapping, or an error naming where a mapping was expected."""
    if not isinstance(value, dict):
        raise StructureError(
            where,
            f"expected a mapping, found {type(value).__name__}",
            "Check that the document is valid OpenAPI 3.0.",
        )

    return value


def _scalar(value: object) -> JSONValue:
    if value is None or isinstance(value, bool | int | float | str):
        return value

    # YAML turns unquoted dates into date objects; JSON knows only their text.
    return str(value)
