"""Settings of one mock server, with the defaults ``make mock`` uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mock_server.auth import DEFAULT_ADMIN_TOKEN
from mock_server.control.journal import DEFAULT_JOURNAL_SIZE
from mock_server.description import DESCRIPTION_PATH
from mock_server.fixtures import default_seed
from mock_server.timestamps import Clock, utc_now

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4242


@dataclass(frozen=True)
class MockConfig:
    """Everything that shapes a mock app; the CLI builds one from its options.

    ``seed`` is the fixture the state starts from (``None`` starts empty).
    ``state_file`` keeps the state in SQLite on disk across restarts; without
    it the state lives in memory.
    ``response_violations`` says what happens when the mock's own response
    breaks the description: ``respond`` answers 500 naming the violation, as a
    served mock should; ``raise`` raises, so that a test fails on the spot.
    """

    admin_tokens: tuple[str, ...] = (DEFAULT_ADMIN_TOKEN,)
    seed: dict[str, Any] | None = field(default_factory=default_seed)
    seed_source: str = "the default seed"
    base_path: str = ""
    cors_origins: tuple[str, ...] = ("*",)
    description_path: Path = DESCRIPTION_PATH
    state_file: Path | None = None
    journal_size: int = DEFAULT_JOURNAL_SIZE
    response_violations: Literal["respond", "raise"] = "respond"
    clock: Clock = utc_now
