"""The seven operations the suite checks, and how to tell them apart by path."""

from __future__ import annotations

import re
from dataclasses import dataclass

ACCOUNTS = "/api/admin/service-account"


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    template: str

    @property
    def pattern(self) -> re.Pattern[str]:
        regex = re.escape(self.template).replace(r"\{id\}", r"(?P<id>[^/]+)")
        regex = regex.replace(r"\{tokenId\}", r"(?P<tokenId>[^/]+)")
        return re.compile(regex + "$")

    @property
    def changes_state(self) -> bool:
        return self.method != "GET"


OPERATIONS = (
    Operation("getServiceAccounts", "GET", ACCOUNTS),
    Operation("createServiceAccount", "POST", ACCOUNTS),
    Operation("updateServiceAccount", "PUT", ACCOUNTS + "/{id}"),
    Operation("deleteServiceAccount", "DELETE", ACCOUNTS + "/{id}"),
    Operation("getServiceAccountTokens", "GET", ACCOUNTS + "/{id}/token"),
    Operation("createServiceAccountToken", "POST", ACCOUNTS + "/{id}/token"),
    Operation(
        "deleteServiceAccountToken", "DELETE", ACCOUNTS + "/{id}/token/{tokenId}"
    ),
)

BY_ID = {operation.operation_id: operation for operation in OPERATIONS}


def identify(method: str, path: str) -> tuple[str, dict[str, str]]:
    """The operationId a request calls and its path ids; ``("", {})`` if none.

    ``path`` may carry the server's base path in front of ``/api``.
    """
    for operation in OPERATIONS:
        if operation.method != method.upper():
            continue

        match = operation.pattern.search(path.split("?", 1)[0].rstrip("/"))

        if match:
            return operation.operation_id, match.groupdict()

    return "", {}


def as_id(value: str | None) -> int | None:
    """A path or body id as a number, or None when it is not a plain integer."""
    if value is None or not str(value).isascii() or not str(value).isdigit():
        return None

    return int(value)
