"""The realistic alert bodies in ``payloads/`` sent over real HTTP, as TradingView sends them.

TradingView posts ``application/json`` only when the rendered message is valid JSON, so ``.json``
files go out as JSON and ``.txt`` files as ``text/plain``. Each row says what the sender sees
(HTTP status) and what the trader sees afterwards (the alert's outcome and command or reason).
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.tradingview.conftest import PAYLOADS, Trader

#: file, hook mode, buy 0.02 BTC first, HTTP status, final status, regex on the command or the reason
CASES: list[tuple[str, str, bool, int, str, str]] = [
    ("01_strategy_order.json", "orders", False, 200, "executed", r"^buy 0\.01 BTC/USDT$"),
    ("02_exchange_prefixed_quote_amount.json", "orders", False, 200, "executed", r"^buy \$100 ETH/USDT$"),
    ("03_perpetual_suffix_percent.json", "orders", False, 200, "executed", r"^buy 5% BTC/USDT$"),
    ("04_limit_order.json", "orders", False, 200, "executed", r"^buy 0\.001 BTC/USDT @ 40000$"),
    ("05_close.json", "orders", True, 200, "executed", r"^sell 0\.0\d+ BTC/USDT on paper$"),
    ("06_flat.json", "orders", True, 200, "executed", r"^sell 0\.0\d+ BTC/USDT on paper$"),
    ("07_reverse_on_spot.json", "orders", True, 200, "executed", r"^sell 0\.0\d+ BTC/USDT on paper$"),
    ("08_numbers_unquoted.json", "orders", True, 200, "executed", r"^sell 0\.005 BTC/USDT$"),
    ("09_tp_sl.json", "orders", False, 200, "executed", r"^buy 0\.01 BTC/USDT tp 48000 sl 45000$"),
    ("10_3commas_signal.json", "orders", False, 200, "executed", r"^buy \$100 BTC/USDT$"),
    ("11_3commas_enter_short.json", "orders", False, 422, "rejected", r"^action: enter_short needs a short position"),
    ("12_traderspost_buy.json", "orders", False, 200, "executed", r"^buy 0\.01 BTC/USDT$"),
    ("13_traderspost_exit.json", "orders", True, 200, "executed", r"^sell 0\.0\d+ BTC/USDT on paper$"),
    ("14_empty_unquoted_placeholder.txt", "orders", False, 400, "rejected", r"^contracts: has no value"),
    ("15_unfilled_placeholder.json", "orders", False, 422, "rejected", r"^action: placeholder \{\{strategy"),
    ("16_text_grammar.txt", "orders", False, 200, "executed", r"^buy 0\.01 BTC/USDT$"),
    ("17_text_exchange_prefix.txt", "orders", True, 200, "executed", r"^sell 0\.005 BTC/USDT$"),
    ("18_default_strategy_message.txt", "orders", False, 200, "executed", r"^buy 0\.01 BTC/USDT$"),
    ("19_unknown_keys_kept.json", "orders", False, 200, "executed", r"^buy 0\.001 BTC/USDT$"),
    ("20_zero_size.json", "orders", False, 422, "rejected", r"^contracts: must be positive, got 0$"),
    ("21_negative_size.json", "orders", False, 422, "rejected", r"^contracts: must be positive, got -0\.01$"),
    ("22_non_numeric_size.json", "orders", False, 422, "rejected", r"^contracts: 'a lot' is not a number$"),
    ("23_unknown_action.json", "orders", False, 422, "rejected", r"^action: unknown action 'hodl'"),
    ("24_missing_ticker.json", "orders", False, 422, "rejected", r"^ticker: is missing"),
    ("25_unknown_symbol.json", "orders", False, 422, "rejected", r"^ticker: unknown symbol DOGE/USDT"),
    ("26_malformed.txt", "orders", False, 400, "rejected", r"^body: invalid JSON at line 1 column 2"),
    ("27_epoch_time.json", "orders", False, 200, "executed", r"^buy 0\.05 ETH/USDT$"),
    ("28_position_target.json", "position", False, 200, "executed", r"^buy 0\.02 BTC/USDT on paper$"),
    ("29_position_flat.json", "position", True, 200, "executed", r"^sell 0\.0\d+ BTC/USDT on paper$"),
    ("30_position_short.json", "position", False, 422, "rejected", r"^position_size: target -0\.01 is short"),
    ("31_position_tp_sl.json", "position", False, 200, "executed", r"^buy 0\.02 BTC/USDT on paper tp 48000 sl 45000$"),
    ("32_position_add_tp_sl.json", "position", True, 200, "executed",
     r"^buy 0\.01\d* BTC/USDT on paper tp 48000 sl 45000$"),
    ("33_position_reduce_tp_sl.json", "position", True, 200, "rejected",
     r"^take-profit and stop-loss protect .* target 0\.01 BTC is below the position 0\.0\d+, so this alert would sell"),
    ("34_position_flat_tp_sl.json", "position", True, 422, "rejected",
     r"^tp: take-profit and stop-loss protect .*; a target of 0 \(flat\) closes the position, so there is nothing"),
    ("35_close_tp_sl.json", "orders", True, 422, "rejected",
     r"^sl: take-profit and stop-loss protect .*; a close alert sells the whole position, so there is nothing"),
]  # fmt: skip


def test_the_corpus_covers_every_payload_file() -> None:
    assert sorted(p.name for p in PAYLOADS.iterdir()) == sorted(case[0] for case in CASES)


def _prebuy(trader: Trader) -> None:
    response = httpx.post(
        f"{trader.url}/api/v1/commands", json={"text": "buy 0.02 BTC/USDT"}, headers=trader.auth, timeout=30
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(("name", "mode", "prebuy", "http_status", "status", "expected"), CASES)
def test_alert_body(
    alice: Trader, name: str, mode: str, prebuy: bool, http_status: int, status: str, expected: str
) -> None:
    hook = alice.create_hook(mode=mode)
    if prebuy:
        _prebuy(alice)
    body = (PAYLOADS / name).read_bytes()
    content_type = "application/json; charset=utf-8" if name.endswith(".json") else "text/plain; charset=utf-8"

    response = alice.send(hook, body, content_type=content_type)

    assert response.status_code == http_status, response.text
    alert = alice.outcome(response.json()["alert_id"])
    assert alert["status"] == status, alert
    assert alert["body"] == body.decode()
    shown = alert["command_text"] if status == "executed" else alert["reason"]
    assert re.search(expected, shown or ""), alert
    if status == "executed" and "tp_sl" in name:  # a bracket: one parent order over the entry and its exits
        assert alert["order_id"].startswith("alg_")
    elif status == "executed":
        assert alert["order_id"].startswith("ord_")
        resting = "limit" in name  # below the market: placed, waiting for the price
        assert _order(alice, alert["order_id"])["status"] == ("open" if resting else "filled")
    else:
        assert alert["order_id"] is None
        if http_status >= 400:
            assert response.json()["error"]["message"] == alert["reason"]


def test_unknown_keys_are_kept_with_the_alert(alice: Trader) -> None:
    hook = alice.create_hook()
    response = alice.send(hook, (PAYLOADS / "19_unknown_keys_kept.json").read_bytes(), content_type="application/json")
    alert = alice.outcome(response.json()["alert_id"])
    assert alert["unknown_keys"] == {
        "comment": "Long Entry",
        "strategy": {"name": "EMA Cross", "interval": "60"},
        "volume": "1234.5",
    }


def test_closing_without_a_position_is_refused_with_the_reason(alice: Trader) -> None:
    hook = alice.create_hook()
    response = alice.send(hook, (PAYLOADS / "05_close.json").read_bytes(), content_type="application/json")
    assert response.status_code == 200
    alert = alice.outcome(response.json()["alert_id"])
    assert (alert["status"], alert["reason"]) == ("rejected", "no BTC position on paper to close")


def _order(trader: Trader, order_id: str) -> dict[str, Any]:
    response = httpx.get(f"{trader.url}/api/v1/orders/{order_id}", headers=trader.auth)
    assert response.status_code == 200, response.text
    return response.json()["order"]
