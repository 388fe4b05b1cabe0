"""Structured logs (structlog) with secrets redacted before anything is written."""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

from hub.redaction import REDACTED, redact

__all__ = ["REDACTED", "configure", "redact"]

def _redact_processor(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    return redact(event)


def configure(level: str = "info", *, json: bool = False) -> None:
    """Configure structlog and the standard library logging it feeds."""
    numeric = getattr(logging, level.upper(), logging.INFO)
    logging.basicConfig(stream=sys.stderr, level=numeric, format="%(message)s")
    for noisy in ("alembic", "sqlalchemy.engine", "httpx", "celery", "kombu"):
        logging.getLogger(noisy).setLevel(max(numeric, logging.WARNING))
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            _redact_processor,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
