"""Nonces for one sender under concurrency: consecutive, never reused, resynced after a failed send."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager


class NonceManager:
    """Hand out the next nonce while holding a lock across signing and sending.

    ``pending_count`` reads the chain's pending transaction count; it seeds the counter and
    re-seeds it when a send fails, since the chain then did not consume the nonce.
    """

    def __init__(self, pending_count: Callable[[], Awaitable[int]]) -> None:
        self._pending_count = pending_count
        self._next: int | None = None
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def reserve(self) -> AsyncIterator[int]:
        async with self._lock:
            if self._next is None:
                self._next = await self._pending_count()
            nonce = self._next
            try:
                yield nonce
            except BaseException:
                self._next = None  # resync from the chain on the next reservation
                raise
            self._next = nonce + 1
