"""Faults: slow calls and forced errors, per session and per operation.

Faults live in the state database, so every server process sees the same ones
and a fault limited to the next N calls fires exactly N times. Random choices
(a latency range, an error rate) come from a generator seeded by the fault's
``seed`` and the call's number, so a run replays the same way.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mock_server.control.answers import UndocumentedStatus, forceable
from mock_server.database import Database
from mock_server.description import Operation
from mock_server.errors import ApiError, ErrorKind, echoed

EVERY_OPERATION = "*"


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """What the faults in force do to one call: wait, then maybe answer."""

    delay_seconds: float = 0.0
    status: int | None = None


NO_FAULT = FaultPlan()


class InvalidFault(ApiError):
    def __init__(self, pointer: str, problem: str) -> None:
        super().__init__(
            ErrorKind.BAD_DATA,
            f"The fault cannot be added: {problem}",
            details=[{"path": pointer, "message": problem}],
        )


class FaultNotFound(ApiError):
    def __init__(self, fault_id: int) -> None:
        super().__init__(ErrorKind.NOT_FOUND, f"There is no fault with id {fault_id}.")


def delays_in_force(database: Database) -> bool:
    """Whether any session has a fault that may make a call sleep.

    Asked before every request, so it is one lookup with no bound value (a
    bound pattern cost four times as much): a fault's two delays are named
    latencyMs and latencyRangeMs.
    """
    row = database.fetch_one(
        "SELECT 1 FROM faults WHERE instr(spec, 'latency') LIMIT 1", ()
    )
    return row is not None


class Faults:
    """The faults of every session, kept in the state database."""

    def __init__(self, database: Database, operations: Mapping[str, Operation]) -> None:
        self.database = database
        self.operations = operations

    def add(self, session: str, spec: dict[str, Any]) -> dict[str, Any]:
        """Put a fault in force, after checking it makes sense."""
        self._check(spec)

        with self.database.writing() as db:
            row = db.execute(
                "INSERT INTO faults (session, operation, spec, remaining) "
                "VALUES (?, ?, ?, ?) RETURNING id",
                (session, spec["operation"], json.dumps(spec), spec.get("times")),
            ).fetchone()

        return {"id": row[0], "spec": spec, "remaining": spec.get("times"), "calls": 0}

    def list(self, session: str) -> list[dict[str, Any]]:
        with self.database.reading() as db:
            rows = db.execute(
                "SELECT id, spec, remaining, calls FROM faults WHERE session = ? "
                "ORDER BY id",
                (session,),
            ).fetchall()

        return [
            {
                "id": row[0],
                "spec": json.loads(row[1]),
                "remaining": row[2],
                "calls": row[3],
            }
            for row in rows
        ]

    def clear(self, session: str) -> None:
        with self.database.writing() as db:
            db.execute("DELETE FROM faults WHERE session = ?", (session,))

    def delete(self, session: str, fault_id: int) -> None:
        with self.database.writing() as db:
            deleted = db.execute(
                "DELETE FROM faults WHERE session = ? AND id = ?", (session, fault_id)
            )

        if deleted.rowcount == 0:
            raise FaultNotFound(fault_id)

    def plan(self, session: str, operation_id: str) -> FaultPlan:
        """Apply the faults in force to one call of an operation."""
        query = (
            "SELECT id, spec, remaining, calls FROM faults "
            "WHERE session = ? AND operation IN (?, ?) ORDER BY id"
        )
        arguments = (session, operation_id, EVERY_OPERATION)

        # Nearly every call meets no fault, and a read costs less than a write.
        if self.database.fetch_one(query, arguments) is None:
            return NO_FAULT

        delay = 0.0
        status: int | None = None

        with self.database.writing() as db:
            for fault_id, text, remaining, calls in db.execute(
                query, arguments
            ).fetchall():
                spec = json.loads(text)
                calls += 1
                draw = random.Random(f"{spec.get('seed', 0)}:{calls}")
                delay += _latency(spec, draw) / 1000

                hit = draw.random() < spec.get("errorRate", 1.0)

                if status is None and "status" in spec and hit:
                    status = spec["status"]

                if remaining == 1:
                    db.execute("DELETE FROM faults WHERE id = ?", (fault_id,))
                else:
                    db.execute(
                        "UPDATE faults SET calls = ?, remaining = ? WHERE id = ?",
                        (calls, None if remaining is None else remaining - 1, fault_id),
                    )

        return FaultPlan(delay, status)

    def _check(self, spec: Mapping[str, Any]) -> None:
        operation_id = spec["operation"]

        if operation_id == EVERY_OPERATION:
            targets = list(self.operations.values())
        elif operation_id in self.operations:
            targets = [self.operations[operation_id]]
        else:
            known = ", ".join([EVERY_OPERATION, *self.operations])
            raise InvalidFault(
                "/body/operation",
                f"{echoed(str(operation_id))!r} is no operation; use one of {known}.",
            )

        status = spec.get("status")

        if status is not None:
            for operation in targets:
                if status not in forceable(operation):
                    raise UndocumentedStatus(
                        operation, status, "/body/status", forceable(operation)
                    )

        if "errorRate" in spec and status is None:
            raise InvalidFault(
                "/body/errorRate", "an error rate needs a status to answer."
            )

        low, high = spec.get("latencyRangeMs", (0, 0))

        if low > high:
            raise InvalidFault("/body/latencyRangeMs", "the range must be [low, high].")

        if status is None and not {"latencyMs", "latencyRangeMs"} & spec.keys():
            raise InvalidFault(
                "/body", "a fault needs a status, a latency, or both to do anything."
            )


def _latency(spec: Mapping[str, Any], draw: random.Random) -> float:
    if "latencyRangeMs" in spec:
        low, high = spec["latencyRangeMs"]
        return float(draw.randint(low, high) + spec.get("latencyMs", 0))

    return float(spec.get("latencyMs", 0))
