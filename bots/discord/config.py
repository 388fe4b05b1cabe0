"""Typed, frozen Discord configuration, read once from ``Settings``."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

from hub.app.settings import Settings

#: Discord refuses an initial interaction response after 3 s; past this budget we defer and follow up.
ACK_BUDGET_S = 1.5


@dataclass(frozen=True, slots=True)
class DiscordConfig:
    token: SecretStr | None
    public_key: str | None
    api_url: str
    ack_budget_s: float = ACK_BUDGET_S
    max_attempts: int = 5  # REST follow-ups: attempts on 429 / 5xx before giving up
    backoff_s: float = 0.25  # first wait after a 5xx; doubles each attempt
    max_wait_s: float = 10.0  # never sleep longer than this on one retry_after

    @classmethod
    def from_settings(cls, settings: Settings) -> DiscordConfig:
        return cls(
            token=settings.discord_token,
            public_key=settings.discord_public_key,
            api_url=settings.discord_api_url.rstrip("/"),
        )
