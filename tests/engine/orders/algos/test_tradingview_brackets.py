"""TradingView alerts with ``tp``/``sl`` over real HTTP: the alert trades and places its brackets."""

from __future__ import annotations

import json
from collections.abc import Callable

from engine.domain import OrderStatus, Side
from engine.orders.algos.service import AlgoScheduler
from engine.orders.algos.storage import ParentStatus
from tests.engine.orders.algos.conftest import order_count
from tests.engine.orders.algos.test_scheduler import parent_count
from tests.tradingview.conftest import Trader, serve  # noqa: F401  (the live-app fixture)


def test_alert_with_tp_and_sl_places_a_bracket(serve: Callable[..., Trader], scheduler: AlgoScheduler) -> None:  # noqa: F811
    trader = serve()
    hook = trader.create_hook()
    body = {"ticker": "BINANCE:BTCUSDT", "action": "buy", "contracts": "0.01", "tp": "46500", "sl": "45000",
            "id": "bracket-1"}  # fmt: skip
    response = trader.send(hook, json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.text
    alert = trader.outcome(response.json()["alert_id"])
    assert alert["status"] == "executed", alert
    assert alert["command_text"] == "buy 0.01 BTC/USDT tp 46500 sl 45000" and alert["order_id"].startswith("alg_")

    user_id = trader.container.services.users.get("alice").user_id
    view = scheduler.get(user_id, alert["order_id"])
    assert view.parent.status is ParentStatus.WORKING
    entry, take_profit = view.orders
    assert entry.status is OrderStatus.FILLED
    assert (take_profit.side, str(take_profit.price), take_profit.status) == (Side.SELL, "46500", OrderStatus.OPEN)
    assert view.parent.plan["stop_loss"] == "45000"

    resent = trader.send(hook, json.dumps(body), content_type="application/json")  # TradingView's retry
    assert resent.status_code == 200
    assert parent_count(trader.container) == 1 and order_count(trader.container) == 2

    text = trader.send(hook, "buy 0.001 BTC/USDT tp 47000 sl 45500")  # the chat grammar as a text/plain alert
    as_text = trader.outcome(text.json()["alert_id"])
    assert as_text["status"] == "executed" and as_text["command_text"] == "buy 0.001 BTC/USDT tp 47000 sl 45500"
    assert parent_count(trader.container) == 2


def test_alert_with_take_profit_below_entry_is_rejected_and_trades_nothing(
    serve: Callable[..., Trader],  # noqa: F811
) -> None:
    trader = serve()
    hook = trader.create_hook()
    body = {"ticker": "BTCUSDT", "action": "buy", "contracts": "0.01", "tp": "40000", "sl": "39000"}
    response = trader.send(hook, json.dumps(body), content_type="application/json")
    alert = trader.outcome(response.json()["alert_id"])
    assert alert["status"] == "rejected" and "take-profit 40000 must be above the entry price" in alert["reason"]
    assert order_count(trader.container) == 0 and parent_count(trader.container) == 0

    bad = dict(body, tp="-1")
    refused = trader.send(hook, json.dumps(bad), content_type="application/json")
    assert refused.status_code == 422 and "tp" in refused.text
