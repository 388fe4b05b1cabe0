"""Typed, frozen configuration of the Telegram adapter, derived once from ``Settings``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hub.app.settings import Settings

_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")  # setWebhook's secret_token alphabet
#: Telegram's own webhook payloads are a few KiB; anything far larger is not an update.
MAX_UPDATE_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    """Where the Bot API is, how the bot receives updates, and how hard sends are retried.

    ``api_url`` is the Bot API server root (``https://api.telegram.org`` or a self-hosted server);
    the client appends ``/bot<token>``. Webhook mode is on when a webhook secret is set, and then the
    bot does not poll.
    """

    token: str | None = field(default=None, repr=False)
    webhook_secret: str | None = field(default=None, repr=False)
    api_url: str = "https://api.telegram.org"
    poll_timeout_s: int = 30
    max_update_bytes: int = MAX_UPDATE_BYTES
    send_attempts: int = 5  # first try plus retries, for 429 and 5xx answers
    backoff_s: float = 0.2  # first backoff after a 5xx or network error; doubles each time
    max_backoff_s: float = 5.0
    max_retry_after_s: float = 60.0  # a 429 asking for longer than this is given up on

    @classmethod
    def from_settings(cls, settings: Settings) -> TelegramConfig:
        token = settings.telegram_token.get_secret_value() if settings.telegram_token else None
        secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None
        if secret and not _SECRET_TOKEN.fullmatch(secret):
            raise ValueError(
                "TRADEHUB_TELEGRAM_WEBHOOK_SECRET: Telegram accepts 1-256 characters from A-Z, a-z, 0-9, _ and -"
            )
        return cls(
            token=token or None,
            webhook_secret=secret or None,
            api_url=settings.telegram_api_url.rstrip("/"),
            max_update_bytes=min(MAX_UPDATE_BYTES, settings.max_body_bytes),
        )

    @property
    def base_url(self) -> str:
        """PTB's ``base_url``: PTB appends the token."""
        return f"{self.api_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.api_url}/file/bot"

    @property
    def polling(self) -> bool:
        """Long polling: a token and no webhook secret (no public URL needed)."""
        return self.token is not None and self.webhook_secret is None

    @property
    def webhook(self) -> bool:
        """Webhook mode: updates arrive at ``POST /telegram/webhook`` carrying the secret header."""
        return self.token is not None and self.webhook_secret is not None
