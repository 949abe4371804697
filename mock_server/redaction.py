"""Redaction: nothing the mock writes or echoes may carry a credential.

Callers do put tokens where they do not belong, in a path or a query string,
so every place that repeats request data back (the log, the journal, error
messages) passes it through here first.
"""

from __future__ import annotations

import re

REDACTED = "<redacted>"

# Unleash 7 secrets (user: + 56 hex), Unleash 8 ones (user:v2_...) and admin
# API tokens (<project>:<environment>.<secret>). An admin token is looked for
# only where a run of name characters starts: tried inside a long run, the
# search would take time quadratic in its length.
SECRET_TEXT = re.compile(
    r"user:(?:v2_)?[A-Za-z0-9_-]{20,}|(?<![\w*-])[\w*-]+:[\w*-]+\.[A-Za-z0-9_-]{8,}"
)


def redacted(text: str) -> str:
    """The text with everything shaped like a token replaced."""
    return SECRET_TEXT.sub(REDACTED, text)
