"""Identifiers: time-sortable random ids, and client order ids derived from idempotency keys."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time

from engine.domain import ClientOrderId

_lock = threading.Lock()
_last = (0, 0)  # the milliseconds and the random part of the last id made in this process


def new_id(prefix: str) -> str:
    """``prefix_`` + 11 hex digits of milliseconds + 10 random hex digits (sortable by creation: within
    one millisecond, or if the clock steps back, the random part counts up from the last id's)."""
    global _last
    ms = time.time_ns() // 1_000_000
    with _lock:
        last_ms, last_random = _last
        if ms > last_ms:
            random = secrets.randbits(39)  # the top bit left free to count up within the millisecond
        else:
            ms, random = last_ms, last_random + 1
        _last = (ms, random)
    return f"{prefix}_{ms:011x}{random:010x}"


def client_order_id(user_id: int, idempotency_key: str) -> ClientOrderId:
    """A venue-safe id (<= 32 chars, [a-z0-9-]) that is the same for every retry of one order."""
    digest = hashlib.sha256(f"{user_id}:{idempotency_key}".encode()).hexdigest()[:29]
    return ClientOrderId(f"th-{digest}")
