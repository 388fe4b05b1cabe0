"""Identifiers: time-sortable random ids, and client order ids derived from idempotency keys."""

from __future__ import annotations

import hashlib
import secrets
import time

from engine.domain import ClientOrderId


def new_id(prefix: str) -> str:
    """``prefix_`` + 11 hex digits of milliseconds + 10 random hex digits (sortable by creation)."""
    return f"{prefix}_{time.time_ns() // 1_000_000:011x}{secrets.token_hex(5)}"


def client_order_id(user_id: int, idempotency_key: str) -> ClientOrderId:
    """A venue-safe id (<= 32 chars, [a-z0-9-]) that is the same for every retry of one order."""
    digest = hashlib.sha256(f"{user_id}:{idempotency_key}".encode()).hexdigest()[:29]
    return ClientOrderId(f"th-{digest}")
