"""Date-times as the Admin API writes them, for the bodies the suite sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


def from_now(delta: timedelta) -> str:
    """The instant ``delta`` from now: UTC, milliseconds, a trailing ``Z``."""
    later = datetime.now(UTC) + delta
    return later.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def has_passed(instant: Any) -> bool:
    """Whether ``instant`` is an RFC 3339 date-time before now."""
    if not isinstance(instant, str):
        return False

    try:
        moment = datetime.fromisoformat(instant)
    except ValueError:
        return False

    # A date-time without an offset says nothing certain; it is left alone.
    return moment.tzinfo is not None and moment < datetime.now(UTC)
