"""Hub replies in Telegram's idiom: HTML text, monospace tables for data, inline keyboards for confirmations.

Everything the hub wrote is escaped (``<``, ``>``, ``&``); backtick spans become ``<code>``. Lists of
orders, fills and holdings become ``<pre>`` tables. A message stays under Telegram's 4096-character
limit by dropping whole lines or table rows (never cutting inside a tag) and saying so.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode

from bots.telegram.schemas import cancel_data, confirm_data
from hub.handlers.format import amount
from hub.reply import Reply

PARSE_MODE = ParseMode.HTML
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_TABLE_ROWS = 30
_CODE_SPAN = re.compile(r"`([^`\n]+)`")


@dataclass(frozen=True, slots=True)
class TelegramMessage:
    """One outgoing message: HTML text, an optional keyboard and an optional PNG to send as a photo."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None
    image: bytes | None = None


def render(reply: Reply) -> TelegramMessage:
    """Render a hub ``Reply`` as one Telegram message."""
    blocks = _blocks(reply)
    if not reply.ok:
        blocks[0] = f"⚠️ {blocks[0]}"
    keyboard = None
    if reply.confirmation is not None:
        confirmation_id = reply.confirmation.id
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("✅ Confirm", callback_data=confirm_data(confirmation_id)),
                    InlineKeyboardButton("✖️ Cancel", callback_data=cancel_data(confirmation_id)),
                ]
            ]
        )
    return TelegramMessage(fit(blocks), keyboard, reply.image)


def inline(text: str) -> str:
    """Escape hub text for HTML mode and turn `backtick spans` into monospace."""
    return _CODE_SPAN.sub(r"<code>\1</code>", html.escape(text, quote=False))


def fit(blocks: Sequence[str], *, limit: int = MAX_TEXT) -> str:
    """Join self-contained HTML blocks with newlines, dropping trailing blocks that do not fit."""
    notice = "\n… (truncated)"
    kept: list[str] = []
    used = 0
    for index, block in enumerate(blocks):
        cost = _length(block) + (1 if kept else 0)
        reserve = _length(notice) if index < len(blocks) - 1 else 0
        if used + cost + reserve > limit:
            return "\n".join(kept) + notice if kept else _length_cut(block, limit)
        kept.append(block)
        used += cost
    return "\n".join(kept)


def _blocks(reply: Reply) -> list[str]:
    data = reply.data
    if reply.ok and isinstance(data.get("orders"), list) and data["orders"]:
        return ["<b>Orders</b>", _table(_ORDER_COLUMNS, [_order_row(o) for o in data["orders"]])]
    if reply.ok and isinstance(data.get("fills"), list) and data["fills"]:
        return ["<b>Fills</b>", _table(_FILL_COLUMNS, [_fill_row(f) for f in data["fills"]])]
    if reply.ok and isinstance(data.get("holdings"), list) and "equity" in data:
        return _holdings_blocks(data)
    if reply.ok and "topic" in data:
        return _help_blocks(reply.text)
    return [inline(line) for line in reply.text.splitlines() or [reply.text or "(empty reply)"]]


_ORDER_COLUMNS = ("ID", "SIDE", "QTY", "SYMBOL", "PRICE", "STATUS", "FILLED")
_FILL_COLUMNS = ("SIDE", "QTY", "SYMBOL", "PRICE", "FEE", "ORDER")
_HOLDING_COLUMNS = ("ASSET", "VENUE", "TOTAL", "AVAILABLE", "VALUE")


def _order_row(order: dict[str, Any]) -> tuple[str, ...]:
    filled = _number(order.get("filled_quantity"))
    if order.get("average_fill_price") and filled not in ("-", "0"):
        filled = f"{filled} @ {_number(order.get('average_fill_price'))}"
    price = _number(order.get("price")) if order.get("price") is not None else "market"
    return (
        str(order.get("id", "")),
        str(order.get("side", "")),
        _number(order.get("quantity")),
        str(order.get("symbol", "")),
        price,
        str(order.get("status", "")),
        filled,
    )


def _fill_row(fill: dict[str, Any]) -> tuple[str, ...]:
    return (
        str(fill.get("side", "")),
        _number(fill.get("quantity")),
        str(fill.get("symbol", "")),
        _number(fill.get("price")),
        f"{_number(fill.get('fee'))} {fill.get('fee_asset', '')}".strip(),
        str(fill.get("order_id", "")),
    )


def _holdings_blocks(data: dict[str, Any]) -> list[str]:
    currency = html.escape(str(data.get("currency", "")), quote=False)
    rows = [
        (
            str(h.get("asset", "")),
            str(h.get("venue", "")),
            _number(h.get("total")),
            _number(h.get("available")),
            _number(h.get("value"), places=2),
        )
        for h in data["holdings"]
    ]
    summary = (
        f"Realized P&amp;L {_number(data.get('realized_pnl'), places=2)}, "
        f"unrealized {_number(data.get('unrealized_pnl'), places=2)}, fees {_number(data.get('fees_paid'), places=2)}"
    )
    table = _table(_HOLDING_COLUMNS, rows) if rows else "No holdings."
    return [f"<b>Equity {_number(data.get('equity'), places=2)} {currency}</b>", table, summary]


def _help_blocks(text: str) -> list[str]:
    blocks = []
    for line in text.splitlines():
        if line.startswith(" "):
            blocks.append(inline(line.strip()))
        elif line.endswith(":"):
            blocks.append(f"<b>{inline(line)}</b>")
        else:
            blocks.append(f"<code>{html.escape(line, quote=False)}</code>")
    return blocks


def _table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    shown = list(rows[:MAX_TABLE_ROWS])
    widths = [max(len(column), *(len(row[i]) for row in shown)) for i, column in enumerate(columns)]
    lines = [_row(columns, widths), *(_row(row, widths) for row in shown)]
    if len(rows) > MAX_TABLE_ROWS:
        lines.append(f"… and {len(rows) - MAX_TABLE_ROWS} more")
    return "<pre>" + html.escape("\n".join(lines), quote=False) + "</pre>"


def _row(cells: Iterable[str], widths: Sequence[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def _number(value: Any, *, places: int | None = None) -> str:
    if value is None:
        return "-"
    try:
        return amount(Decimal(str(value)), places)
    except InvalidOperation:
        return str(value)


def _length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2  # Telegram counts UTF-16 code units


def _length_cut(block: str, limit: int) -> str:
    # One block alone is over the limit: fall back to its plain text, cut to size.
    plain = html.unescape(re.sub(r"<[^>]+>", "", block))
    cut = plain
    while _length(html.escape(cut, quote=False)) > limit - 2:
        cut = cut[: max(0, len(cut) - max(1, len(cut) // 10))]
    return html.escape(cut, quote=False) + " …"
