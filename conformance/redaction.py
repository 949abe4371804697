"""Keeping secrets out of everything the suite prints or writes.

The suite holds two kinds of secret: the token it was given, and the secrets
of the tokens it creates. Both are replaced wherever they would appear, and so
is anything shaped like an Unleash token, which a faulty server might leak.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

TOKEN_VARIABLE = "$UNLEASH_TOKEN"
REDACTED = "[redacted]"

# Personal and service-account tokens (`user:` and hex, or the v2 format) and
# admin API tokens (`*:*.` or `project:environment.` and hex).
_TOKEN_SHAPES = re.compile(
    r"user:v2_[A-Za-z0-9_-]{8,}|user:[0-9a-f]{16,}"
    r"|[\w*\[\]-]+:[\w*-]+\.[0-9a-f]{16,}|\*:\*\.[\w-]+"
)


class Redactor:
    """Replaces the run's token with ``$UNLEASH_TOKEN`` and other secrets."""

    def __init__(self, token: str, secrets: Iterable[str] = ()) -> None:
        self._token = token
        self._secrets = list(secrets)
        # Schemathesis's worker threads add secrets while others redact.
        self._lock = threading.Lock()

    def add(self, secret: str) -> None:
        with self._lock:
            if secret and secret not in self._secrets:
                self._secrets.append(secret)

    def __call__(self, text: str) -> str:
        if self._token:
            text = text.replace(self._token, TOKEN_VARIABLE)

        with self._lock:
            secrets = list(self._secrets)

        for secret in secrets:
            text = text.replace(secret, REDACTED)

        return _TOKEN_SHAPES.sub(REDACTED, text)
