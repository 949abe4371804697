"""The OpenAPI description the mock serves: where it lives and what it declares."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mock_server.errors import StartupError

# The descriptions sit beside the packages, in a checkout and in a wheel alike.
DESCRIPTIONS = Path(__file__).resolve().parent.parent / "openapi"
DESCRIPTION_PATH = DESCRIPTIONS / "service-accounts.yaml"
CONTROL_DESCRIPTION_PATH = DESCRIPTIONS / "mock-control.yaml"

# libyaml's loader is ten times faster where PyYAML was built with it.
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation the description declares."""

    operation_id: str
    method: str
    path: str
    has_body: bool
    statuses: tuple[int, ...]

    @property
    def flask_rule(self) -> str:
        """The path as a Flask URL rule: ``{id}`` becomes ``<id>``."""
        return self.path.replace("{", "<").replace("}", ">")


def load_description(path: Path = DESCRIPTION_PATH) -> dict[str, Any]:
    """Read an OpenAPI description from YAML or JSON."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_YamlLoader)
    except OSError as error:
        raise StartupError(
            f"Cannot read the OpenAPI description {str(path)!r}: {error.strerror}."
        ) from None
    except yaml.YAMLError as error:
        raise StartupError(
            f"The OpenAPI description {str(path)!r} is not valid YAML: {error}"
        ) from None

    if not isinstance(document, dict) or "paths" not in document:
        raise StartupError(
            f"{str(path)!r} is not an OpenAPI description: it has no 'paths'."
        )

    return document


def operations_of(document: dict[str, Any]) -> tuple[Operation, ...]:
    """Every operation of a description, in the order it declares them."""
    return tuple(
        Operation(
            operation_id=operation["operationId"],
            method=method.upper(),
            path=path,
            has_body="requestBody" in operation,
            statuses=tuple(sorted(int(status) for status in operation["responses"])),
        )
        for path, path_item in document["paths"].items()
        for method, operation in path_item.items()
        if method in HTTP_METHODS
    )
