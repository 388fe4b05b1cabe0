"""Notification channels beside raw HTTP, each rendered natively from the same webhook payload:

- ``slack:CHANNEL_ID``: ``chat.postMessage`` with the bot token (Block Kit);
- ``https://hooks.slack.com/services/...``: a Slack incoming webhook (Block Kit);
- ``https://discord.com/api/webhooks/ID/TOKEN``: a Discord channel webhook (an embed);
- ``telegram:CHAT_ID``: ``sendMessage`` with the bot token (MarkdownV2).

Channel posts are not signed (the platforms authenticate us by token or secret URL).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from engine.errors import UserInputError

_CHAT_ID = re.compile(r"^-?[0-9]{1,20}$|^@[A-Za-z0-9_]{5,32}$")
_SLACK_CHANNEL = re.compile(r"^[A-Z0-9]{8,12}$")
_MARKDOWN_V2 = re.compile(r"([_*\[\]()~`>#+\-=|{}.!\\])")
_COLOURS = {"order.filled": 0x2ECC71, "order.rejected": 0xE74C3C, "risk.alert": 0xE67E22}


@dataclass(frozen=True, slots=True)
class ChannelConfig:
    slack_api_url: str = "https://slack.com/api/"
    slack_bot_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_token: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelRequest:
    url: str
    headers: dict[str, str]
    body: bytes


def kind_of(url: str) -> str:
    """``http`` for a plain endpoint, else the channel kind the URL names."""
    if url.startswith("slack:"):
        return "slack"
    if url.startswith("telegram:"):
        return "telegram"
    parts = urlsplit(url)
    if parts.hostname == "hooks.slack.com" and parts.path.startswith("/services/"):
        return "slack_webhook"
    if parts.hostname in ("discord.com", "discordapp.com") and parts.path.startswith("/api/webhooks/"):
        return "discord"
    return "http"


def validate_target(url: str, kind: str) -> None:
    target = url.split(":", 1)[1]
    if kind == "slack" and not _SLACK_CHANNEL.match(target):
        raise UserInputError("slack: needs a channel id like slack:C0123456789", code="bad_channel")
    if kind == "telegram" and not _CHAT_ID.match(target):
        raise UserInputError("telegram: needs a chat id like telegram:-1001234567890", code="bad_channel")


def _summary(payload: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    data = payload.get("data") or {}
    fields = [(str(k), str(v)) for k, v in data.items() if not isinstance(v, dict | list)][:10]
    return payload.get("type", "event"), fields


def render_slack(payload: dict[str, Any]) -> dict[str, Any]:
    title, fields = _summary(payload)
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": title}}]
    if fields:
        blocks.append({"type": "section", "fields": [{"type": "mrkdwn", "text": f"*{k}*\n{v}"} for k, v in fields]})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": payload.get("timestamp", "")}]})
    text = f"{title}: " + ", ".join(f"{k} {v}" for k, v in fields)
    return {"text": text, "blocks": blocks}


def render_discord(payload: dict[str, Any]) -> dict[str, Any]:
    title, fields = _summary(payload)
    embed = {
        "title": title,
        "color": _COLOURS.get(title, 0x3498DB),
        "fields": [{"name": k, "value": v[:1024], "inline": True} for k, v in fields],
        "timestamp": payload.get("timestamp"),
    }
    return {"embeds": [embed], "allowed_mentions": {"parse": []}}


def escape_markdown_v2(text: str) -> str:
    return _MARKDOWN_V2.sub(r"\\\1", text)


def render_telegram(payload: dict[str, Any]) -> str:
    title, fields = _summary(payload)
    lines = [f"*{escape_markdown_v2(title)}*"]
    lines += [f"{escape_markdown_v2(k)}: `{escape_markdown_v2(v)}`" for k, v in fields]
    return "\n".join(lines)


def build_request(url: str, kind: str, body: bytes, config: ChannelConfig) -> ChannelRequest:
    """The platform call that posts this webhook payload to the channel ``url`` names."""
    payload = json.loads(body)
    json_headers = {"content-type": "application/json; charset=utf-8"}
    if kind == "slack":
        if not config.slack_bot_token:
            raise UserInputError("TRADEHUB_SLACK_BOT_TOKEN is not set", code="channel_unconfigured")
        message = {"channel": url.split(":", 1)[1], **render_slack(payload)}
        headers = {**json_headers, "authorization": f"Bearer {config.slack_bot_token}"}
        target = config.slack_api_url.rstrip("/") + "/chat.postMessage"
        return ChannelRequest(target, headers, json.dumps(message).encode())
    if kind == "telegram":
        if not config.telegram_token:
            raise UserInputError("TRADEHUB_TELEGRAM_TOKEN is not set", code="channel_unconfigured")
        chat = url.split(":", 1)[1]
        chat_id: int | str = int(chat) if chat.lstrip("-").isdigit() else chat
        message = {"chat_id": chat_id, "text": render_telegram(payload), "parse_mode": "MarkdownV2"}
        target = f"{config.telegram_api_url.rstrip('/')}/bot{config.telegram_token}/sendMessage"
        return ChannelRequest(target, json_headers, json.dumps(message).encode())
    if kind == "slack_webhook":
        return ChannelRequest(url, json_headers, json.dumps(render_slack(payload)).encode())
    if kind == "discord":
        return ChannelRequest(url, json_headers, json.dumps(render_discord(payload)).encode())
    raise ValueError(f"not a channel kind: {kind}")


def platform_refused(kind: str, status: int, excerpt: str | None) -> str | None:
    """Slack answers HTTP 200 with ``{"ok": false}``; return the platform's error, if any."""
    if kind != "slack" or status != 200 or not excerpt:
        return None
    try:
        answer = json.loads(excerpt)
    except ValueError:
        return None
    return None if answer.get("ok", True) else f"slack: {answer.get('error', 'not ok')}"
