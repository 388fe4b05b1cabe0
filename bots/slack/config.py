"""Typed, frozen Slack configuration taken once from :class:`hub.app.settings.Settings`."""

from __future__ import annotations

from dataclasses import dataclass

from hub.app.settings import Settings


@dataclass(frozen=True, slots=True)
class SlackConfig:
    """What the Slack adapter needs. Secrets stay plain strings only inside this object; never log it."""

    bot_token: str | None
    signing_secret: str | None
    app_token: str | None
    api_url: str
    #: Retries of a Web API call answered 429 (after ``Retry-After``) or 5xx (with backoff).
    rate_limit_retries: int = 3
    server_error_retries: int = 3

    @classmethod
    def from_settings(cls, settings: Settings) -> SlackConfig:
        def reveal(secret: object) -> str | None:
            value = getattr(secret, "get_secret_value", lambda: None)()
            return value or None

        return cls(
            bot_token=reveal(settings.slack_bot_token),
            signing_secret=reveal(settings.slack_signing_secret),
            app_token=reveal(settings.slack_app_token),
            api_url=settings.slack_api_url,
        )

    @property
    def http_mode(self) -> bool:
        """``POST /slack/events`` needs the bot token (to answer) and the signing secret (to verify)."""
        return bool(self.bot_token and self.signing_secret)

    @property
    def socket_mode(self) -> bool:
        return bool(self.bot_token and self.app_token)

    def __repr__(self) -> str:  # keep tokens out of any accidental log line or traceback
        return f"SlackConfig(api_url={self.api_url!r}, http_mode={self.http_mode}, socket_mode={self.socket_mode})"
