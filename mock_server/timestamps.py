"""Instants as the API writes them: RFC 3339 strings, in UTC where possible.

Unleash serialises dates with JavaScript's ``Date.toISOString()``, so the mock
writes ``2026-01-31T08:15:14.000Z``. An instant keeps the precision it was
sent with (microseconds), so a date echoed back names the same instant.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache

Clock = Callable[[], datetime]

# Every listed record converts its stored instants both ways; a list of a
# thousand accounts repeats the same few thousand, so the conversions are kept.
CONVERSIONS_KEPT = 16_384


def utc_now() -> datetime:
    """The current instant in UTC, to the millisecond as a JavaScript ``Date``."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


@lru_cache(maxsize=CONVERSIONS_KEPT)
def parse_instant(text: str) -> datetime:
    """Read an RFC 3339 date-time; raise ``ValueError`` if it names no instant.

    The description has already checked the format, but a well-formed string
    can still name no instant Python can hold, such as a leap second.
    """
    instant = datetime.fromisoformat(text)

    if instant.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone offset")

    try:
        return instant.astimezone(UTC)
    except OverflowError:
        # 9999-12-31T23:59:59-01:00 is after the last UTC instant datetime can
        # hold; keep its own offset so it is still echoed as the same instant.
        return instant


@lru_cache(maxsize=CONVERSIONS_KEPT)
def format_instant(instant: datetime) -> str:
    """Write an instant as Unleash does: UTC, milliseconds, a trailing ``Z``."""
    precision = "microseconds" if instant.microsecond % 1000 else "milliseconds"
    text = instant.isoformat(timespec=precision)

    if text.endswith("+00:00"):
        return text[: -len("+00:00")] + "Z"

    return text
