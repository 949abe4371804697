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


# Part of every match of SECRET_TEXT's second form. It begins with a literal,
# which the regular-expression engine finds many times faster than a match
# that may begin at any word character.
_ADMIN_TOKEN_CORE = re.compile(r":[\w*-]+\.[A-Za-z0-9_-]{8}")


def may_hold_secret(text: str) -> bool:
    """False only if no part of the text is shaped like a token."""
    return "user:" in text or _ADMIN_TOKEN_CORE.search(text) is not None


def redacted(text: str) -> str:
    """The text with everything shaped like a token replaced."""
    return SECRET_TEXT.sub(REDACTED, text) if may_hold_secret(text) else text
