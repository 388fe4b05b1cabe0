"""Messages from Discord, Slack and Telegram channels the bots are in, only where a channel opted in.

Bot adapters hand every channel message to `ChatChannelSource.offer`; messages from channels
that did not opt in are dropped on the spot (never buffered, never stored). Accepted messages
wait in a bounded buffer until `fetch` (the polling job) drains them. In a process that has no
polling job, call `service.ingest(source.fetch())` after offering.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from sentiment import storage
from sentiment.models import Post
from sentiment.symbols import SymbolExtractor

SOURCE = "chat"
PLATFORMS = frozenset({"discord", "slack", "telegram"})
_COMMAND_PREFIXES = ("/", "!", ".")


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One channel message as a bot adapter sees it."""

    platform: str
    channel_id: str
    message_id: str
    text: str
    author: str
    created_ms: int
    reactions: int = 0


class ChatChannelSource:
    """Per-channel opt-in and a buffer of accepted messages."""

    name = SOURCE

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], int],
        *,
        max_buffer: int = 10_000,
        extractor: SymbolExtractor | None = None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._buffer: deque[Post] = deque(maxlen=max_buffer)
        self._lock = threading.Lock()
        self._extractor = extractor or SymbolExtractor()

    def opt_in(self, platform: str, channel_id: str) -> None:
        """Allow sentiment ingestion of this channel's messages."""
        storage.set_channel_optin(self._engine, _platform(platform), channel_id, enabled=True, now_ms=self._clock())

    def opt_out(self, platform: str, channel_id: str) -> None:
        """Stop ingesting this channel (already stored posts stay until retention removes them)."""
        storage.set_channel_optin(self._engine, _platform(platform), channel_id, enabled=False, now_ms=self._clock())

    def is_opted_in(self, platform: str, channel_id: str) -> bool:
        """Whether this channel's messages are ingested."""
        return storage.is_channel_opted_in(self._engine, _platform(platform), channel_id)

    def offer(self, message: ChatMessage) -> bool:
        """Buffer the message when its channel opted in and it is not a bot command; say if it was kept."""
        text = message.text.strip()
        if not text or text.startswith(_COMMAND_PREFIXES):
            return False
        if not self.is_opted_in(message.platform, message.channel_id):
            return False
        platform = _platform(message.platform)
        post = Post(
            source=SOURCE,
            external_id=f"{platform}:{message.channel_id}:{message.message_id}",
            text=text,
            created_ms=message.created_ms,
            author=message.author,
            engagement=max(0, message.reactions),
            symbols=self._extractor.extract(text),
            channel=f"{platform}:{message.channel_id}",
        )
        with self._lock:
            self._buffer.append(post)
        return True

    def fetch(self) -> list[Post]:
        """Drain the accepted messages."""
        with self._lock:
            posts = list(self._buffer)
            self._buffer.clear()
        return posts


def _platform(platform: str) -> str:
    name = platform.lower()
    if name not in PLATFORMS:
        raise ValueError(f"unknown chat platform {platform!r}; expected one of {sorted(PLATFORMS)}")
    return name
