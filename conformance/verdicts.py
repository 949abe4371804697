"""Verdicts on differences between two contracts, and the reasons behind them.

A request schema and a response schema break in opposite ways. A request schema that
accepts fewer values refuses bodies that clients send today; a response schema that
accepts more values lets the server answer with something clients were never promised.
So a change is first judged by what it does to the set of values accepted (it narrows,
widens or replaces that set, or only annotates it), and the direction the values
travel in turns that effect into a verdict, through ``CONSEQUENCES``.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass

__all__ = [
    "CONSEQUENCES",
    "Direction",
    "Effect",
    "Ruling",
    "Verdict",
    "breaking",
    "non_breaking",
    "quoted",
    "unclassified",
]


class Verdict(enum.StrEnum):
    """Whether a client or server of our contract breaks on a difference."""

    BREAKING = "breaking"
    NON_BREAKING = "non-breaking"


@dataclass(frozen=True)
class Ruling:
    """A verdict on one difference and the reason for it, in one sentence."""

    verdict: Verdict
    reason: str


def breaking(reason: str) -> Ruling:
    return Ruling(Verdict.BREAKING, reason)


def non_breaking(reason: str) -> Ruling:
    return Ruling(Verdict.NON_BREAKING, reason)


def quoted(name: str) -> str:
    """A name as reasons show it, in JSON's double quotes like the values beside it."""
    return json.dumps(name, ensure_ascii=False)


def unclassified(what: str) -> Ruling:
    """The ruling for a change no rule covers: a gate must fail safe."""
    return breaking(
        f"no rule covers {what}, and a gate must fail safe: review it by hand"
    )


class Direction(enum.StrEnum):
    """Which way the values a schema describes travel."""

    REQUEST = "request"
    RESPONSE = "response"


class Effect(enum.Enum):
    """What a change does to the set of values a schema accepts."""

    NARROWS = "narrows"
    WIDENS = "widens"
    REPLACES = "replaces"
    ANNOTATES = "annotates"


# The heart of the classifier: each effect, in each direction, with its reason.
CONSEQUENCES: dict[tuple[Direction, Effect], Ruling] = {
    (Direction.REQUEST, Effect.NARROWS): breaking(
        "requests valid today may be refused"
    ),
    (Direction.REQUEST, Effect.WIDENS): non_breaking(
        "every request valid today is still accepted"
    ),
    (Direction.REQUEST, Effect.REPLACES): breaking(
        "requests valid today may be refused"
    ),
    (Direction.RESPONSE, Effect.NARROWS): non_breaking(
        "every response still fits what clients expect"
    ),
    (Direction.RESPONSE, Effect.WIDENS): breaking(
        "responses may hold values clients do not expect"
    ),
    (Direction.RESPONSE, Effect.REPLACES): breaking(
        "responses may hold values clients do not expect"
    ),
    (Direction.REQUEST, Effect.ANNOTATES): non_breaking("no value changes validity"),
    (Direction.RESPONSE, Effect.ANNOTATES): non_breaking("no value changes validity"),
}
