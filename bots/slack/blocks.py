"""Render a hub :class:`~hub.reply.Reply` as Slack Block Kit (https://api.slack.com/block-kit).

Layout: a ``section`` with the reply text, a ``section`` of ``fields`` for the reply's simple values, the
Confirm / Cancel ``actions`` when the hub asks for a confirmation, and a ``context`` line with the outcome.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hub.reply import Reply

CONFIRM_PREFIX = "tradehub:confirm:"
CANCEL_PREFIX = "tradehub:cancel:"
RUN_ACTION = "tradehub:run"

_SECTION_LIMIT = 3000
_FIELD_LIMIT = 2000
_MAX_FIELDS = 10
Block = dict[str, Any]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mrkdwn(text: str, limit: int = _SECTION_LIMIT) -> dict[str, str]:
    return {"type": "mrkdwn", "text": _clip(text or " ", limit)}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _simple_fields(data: dict[str, Any]) -> list[dict[str, str]]:
    """Top-level scalar values of ``data`` as ``*key*\\nvalue`` fields (money stays its Decimal string)."""
    fields = []
    for key, value in data.items():
        if isinstance(value, bool) or value is None or not isinstance(value, str | int | float | Decimal):
            continue
        label = key.replace("_", " ")
        fields.append(_mrkdwn(f"*{label}*\n{value}", _FIELD_LIMIT))
        if len(fields) == _MAX_FIELDS:
            break
    return fields


def reply_blocks(reply: Reply, *, note: str | None = None) -> list[Block]:
    """Blocks for ``reply``; ``note`` (e.g. "Confirmed by @ann") goes into the context line."""
    blocks: list[Block] = [{"type": "section", "block_id": "reply", "text": _mrkdwn(reply.text)}]
    fields = _simple_fields(reply.data)
    if fields:
        blocks.append({"type": "section", "block_id": "fields", "fields": fields})
    if reply.confirmation is not None:
        confirmation = reply.confirmation
        if confirmation.prompt not in reply.text:
            blocks.append({"type": "section", "block_id": "prompt", "text": _mrkdwn(f"*{confirmation.prompt}*")})
        blocks.append(
            {
                "type": "actions",
                "block_id": "confirmation",
                "elements": [
                    {
                        "type": "button",
                        "action_id": CONFIRM_PREFIX + confirmation.id,
                        "text": _plain("Confirm"),
                        "style": "primary",
                        "value": confirmation.id,
                    },
                    {
                        "type": "button",
                        "action_id": CANCEL_PREFIX + confirmation.id,
                        "text": _plain("Cancel"),
                        "style": "danger",
                        "value": confirmation.id,
                    },
                ],
            }
        )
    status = ":white_check_mark: done" if reply.ok else f":warning: {reply.error_code or 'refused'}"
    if reply.confirmation is not None:
        expires_s = reply.confirmation.expires_ms // 1000
        status = f":hourglass: waiting for confirmation, <!date^{expires_s}^expires {{time}}|expires soon>"
    context = [_mrkdwn(status)] + ([_mrkdwn(note)] if note else [])
    blocks.append({"type": "context", "block_id": "status", "elements": context})
    return blocks


def fallback_text(reply: Reply) -> str:
    """The notification / screen-reader text that accompanies the blocks."""
    text = reply.text or ("done" if reply.ok else "refused")
    if reply.confirmation is not None and reply.confirmation.prompt not in text:
        text = f"{text}\n{reply.confirmation.prompt}"
    return _clip(text, 3000)
