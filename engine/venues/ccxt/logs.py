"""Keep credentials out of ccxt's own debug log.

ccxt logs every request with its headers at DEBUG (``X-MBX-APIKEY``, ``OK-ACCESS-PASSPHRASE``, ...).
A filter on ccxt's loggers replaces every registered credential with ``***`` before any handler
sees the record, so turning on DEBUG logging never writes a key to disk.
"""

from __future__ import annotations

import logging
import threading

_CCXT_LOGGERS = ("ccxt", "ccxt.base.exchange", "ccxt.async_support.base.exchange")


class RedactSecrets(logging.Filter):
    """Rewrite records that contain a registered secret; never drops a record."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def register(self, secrets: tuple[str, ...]) -> None:
        with self._lock:
            self._secrets.update(secret for secret in secrets if secret)

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self._secrets
        if not secrets:
            return True
        message = record.getMessage()
        redacted = message
        for secret in secrets:
            redacted = redacted.replace(secret, "***")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_FILTER = RedactSecrets()
_installed = False
_install_lock = threading.Lock()


def redact_in_ccxt_logs(secrets: tuple[str, ...]) -> None:
    """Register ``secrets`` for redaction and install the filter on ccxt's loggers (once)."""
    global _installed
    _FILTER.register(secrets)
    with _install_lock:
        if not _installed:
            for name in _CCXT_LOGGERS:
                logging.getLogger(name).addFilter(_FILTER)
            _installed = True
