"""Rendering hub replies as Telegram HTML: escaping, tables, limits, keyboards."""

from __future__ import annotations

from bots.telegram.render import MAX_TABLE_ROWS, MAX_TEXT, render
from hub.reply import ConfirmationRequest, Reply


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_hub_text_is_escaped_and_backticks_become_code() -> None:
    message = render(Reply(False, "symbol `A&B<` is invalid; try <b>BTC</b> & co"))

    assert message.text == "⚠️ symbol <code>A&amp;B&lt;</code> is invalid; try &lt;b&gt;BTC&lt;/b&gt; &amp; co"


def test_a_long_reply_is_cut_at_a_line_under_telegrams_limit() -> None:
    text = "\n".join(f"line {i} " + "é" * 60 for i in range(200))
    message = render(Reply(True, text))

    assert _utf16(message.text) <= MAX_TEXT and message.text.endswith("\n… (truncated)")
    assert all(line.startswith("line ") for line in message.text.splitlines()[:-1])


def test_one_huge_line_is_cut_without_breaking_markup() -> None:
    message = render(Reply(True, "`" + "x" * 5000 + "` <tail>"))

    assert _utf16(message.text) <= MAX_TEXT and "<code>" not in message.text and message.text.endswith(" …")


def test_long_tables_show_the_first_rows_and_a_count() -> None:
    fills = [
        {"side": "buy", "quantity": "0.0100", "symbol": "BTC/USDT", "price": "46240.04", "fee": "0.46",
         "fee_asset": "USDT", "order_id": f"ord_{i}"}
        for i in range(MAX_TABLE_ROWS + 12)
    ]  # fmt: skip
    message = render(Reply(True, "(text form)", data={"fills": fills}))

    assert message.text.startswith("<b>Fills</b>\n<pre>SIDE  QTY   SYMBOL    PRICE     FEE        ORDER")
    assert "buy   0.01  BTC/USDT  46240.04  0.46 USDT  ord_0\n" in message.text
    assert message.text.count("ord_") == MAX_TABLE_ROWS and "… and 12 more</pre>" in message.text


def test_confirmation_gets_confirm_and_cancel_buttons() -> None:
    reply = Reply(True, "Confirm buy 1 BTC/USDT? Reply `confirm cf1`", confirmation=ConfirmationRequest("cf1", "?", 0))
    keyboard = render(reply).keyboard

    assert keyboard is not None
    assert [(b.text, b.callback_data) for b in keyboard.inline_keyboard[0]] == [
        ("✅ Confirm", "tradehub:confirm:cf1"),
        ("✖️ Cancel", "tradehub:cancel:cf1"),
    ]
