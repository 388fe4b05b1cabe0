"""Post Block Kit messages to a channel with the bot token, for packages that notify teams (risk alerts)."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError

from bots.slack.client import make_web_client
from bots.slack.config import SlackConfig
from engine.errors import OperatorError, TemporaryError
from hub.app.settings import Settings


async def post_blocks(settings: Settings, channel: str, text: str, blocks: list[dict[str, Any]]) -> str:
    """Post ``blocks`` (with ``text`` as the notification fallback) to ``channel``; return the message ``ts``.

    Buttons follow the chat contract: ``tradehub:run`` with the command text as ``value`` runs that command
    for whoever presses it (through the gateway, as that user). Raises ``OperatorError`` when no bot token
    is configured or Slack refuses the message, ``TemporaryError`` when Slack stays unavailable after the
    client's own retries (429 and 5xx are retried with backoff first).
    """
    config = SlackConfig.from_settings(settings)
    if not config.bot_token:
        raise OperatorError("Slack is not configured: set TRADEHUB_SLACK_BOT_TOKEN to post team messages")
    client = make_web_client(config)
    try:
        response = await client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    except SlackApiError as error:
        status = error.response.status_code
        reason = error.response.get("error", "unknown_error") if isinstance(error.response.data, dict) else "?"
        if status == 429 or status >= 500:
            raise TemporaryError(f"Slack is unavailable ({status} {reason}); try again later") from None
        raise OperatorError(f"Slack refused the message to {channel}: {reason}") from None
    return str(response["ts"])
