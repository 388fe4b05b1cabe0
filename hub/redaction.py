"""Secrets out of everything tradehub writes down: logs, the audit log, stored replies.

Values are recognised by shape (API keys, webhook secrets, bot tokens, webhook URLs that carry a
token in their path) and dictionary entries by key name (``token``, ``secret``, ``password``, ...).
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[redacted]"
_SECRET_KEYS = re.compile(r"(token|secret|password|passphrase|api_?key|authorization|master_key)", re.I)
_SECRET_VALUES = re.compile(
    r"(th_[A-Za-z0-9_-]{16,}|whsec_[A-Za-z0-9+/=]{8,}|xox[abp]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|\d{6,}:[\w-]{30,})"
)
#: URLs whose path is the credential: Discord channel webhooks and Slack incoming webhooks.
_TOKEN_URLS = re.compile(r"(/api/webhooks/\d+/|hooks\.slack\.com/services/[^/\s]+/[^/\s]+/)[\w-]+")


#: ``venue add …`` typed into chat or the API: everything after ``add`` may be an exchange key or a wallet key.
_VENUE_ADD = re.compile(r"^(\s*/?venues?(?:@\S*)?\s+add)\b.*", re.I | re.S)


def redact_text(value: str) -> str:
    value = _VENUE_ADD.sub(rf"\g<1> {REDACTED}", value)
    return _TOKEN_URLS.sub(rf"\g<1>{REDACTED}", _SECRET_VALUES.sub(REDACTED, value))


def redact(value: Any) -> Any:
    """The same structure with secret-looking values replaced by ``[redacted]``."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: REDACTED if _SECRET_KEYS.search(str(k)) else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact(v) for v in value)
    return value
