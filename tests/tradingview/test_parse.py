"""Alert bodies to signals, without HTTP: aliases, placeholders, sizing, modes, and named refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.domain import Side
from hub.commands import Quantity, QuantityKind
from tradingview.parse import AlertRejected, HookRules, decode, dedupe_key, interpret

ORDERS = HookRules()
POSITION = HookRules(mode="position")


def signal_of(body: str, rules: HookRules = ORDERS):  # type: ignore[no-untyped-def]
    return interpret(decode(body.encode()), rules)


def refusal(body: str, rules: HookRules = ORDERS) -> AlertRejected:
    with pytest.raises(AlertRejected) as caught:
        signal_of(body, rules)
    return caught.value


@pytest.mark.parametrize(
    ("body", "command"),
    [
        ('{"ticker": "BINANCE:BTCUSDT", "action": "BUY", "contracts": "0.01"}', "buy 0.01 BTC/USDT"),
        ('{"symbol": "ETHUSDT.P", "side": "sell", "qty": 0.5}', "sell 0.5 ETH/USDT"),
        ('{"ticker": "BTCUSDT", "action": "buy", "amount_usd": "250"}', "buy $250 BTC/USDT"),
        ('{"ticker": "BTCUSDT", "action": "buy", "percent": 12.5}', "buy 12.5% BTC/USDT"),
        ('{"ticker": "BTCUSDT", "action": "buy", "quantity": "1", "order_type": "limit", "price": "40000"}',
         "buy 1 BTC/USDT @ 40000"),
        ('{"ticker": "BTCUSDT", "action": "buy", "contracts": "1", "venue": "binance"}', "buy 1 BTC/USDT on binance"),
        ("buy 0.1 BTC/USDT @ 41000", "buy 0.1 BTC/USDT @ 41000"),
        ("Strat: order sell @ 2 filled on ETHUSDT. New strategy position is 0", "sell 2 ETH/USDT"),
    ],
)  # fmt: skip
def test_orders_mode_bodies_become_hub_commands(body: str, command: str) -> None:
    assert signal_of(body).command_text() == command


def test_exact_decimals_survive_long_unquoted_numbers() -> None:
    signal = signal_of('{"ticker": "BTCUSDT", "action": "buy", "contracts": 0.123456789012345678}')
    assert signal.quantity == Quantity(QuantityKind.BASE, Decimal("0.123456789012345678"))


def test_hook_default_size_applies_when_the_alert_has_none() -> None:
    signal = signal_of('{"ticker": "BTCUSDT", "action": "buy"}', HookRules(default_size="$100", venue="paper"))
    assert signal.command_text() == "buy $100 BTC/USDT on paper"


@pytest.mark.parametrize("action", ["close", "flat", "exit", "reverse", "exit_long"])
def test_closing_actions_sell_the_position(action: str) -> None:
    signal = signal_of(f'{{"ticker": "BTCUSDT", "action": "{action}"}}')
    assert (signal.kind, signal.side, signal.command_text()) == ("close", Side.SELL, None)


def test_position_mode_states_a_target() -> None:
    assert signal_of('{"ticker": "BTCUSDT", "position_size": "0.3"}', POSITION).target == Decimal("0.3")
    assert signal_of('{"ticker": "BTCUSDT", "market_position": "flat"}', POSITION).target == 0
    assert signal_of('{"ticker": "BTCUSDT", "action": "close"}', POSITION).target == 0


def test_a_position_target_carries_its_exits_to_the_executor() -> None:
    signal = signal_of('{"ticker": "BTCUSDT", "position_size": "0.3", "tp": "48000", "stopLoss": 45000.5}', POSITION)
    assert (signal.kind, signal.target, signal.take_profit, signal.stop_loss) == (
        "target",
        Decimal("0.3"),
        Decimal("48000"),
        Decimal("45000.5"),
    )
    assert signal.command_text() is None  # sized at execution, against the position then
    assert (signal.to_json()["take_profit"], signal.to_json()["stop_loss"]) == ("48000", "45000.5")


@pytest.mark.parametrize(
    ("body", "rules", "field", "why"),
    [
        ('{"ticker": "BTCUSDT", "action": "close", "tp": "48000"}', ORDERS, "tp", "a close alert sells"),
        ('{"ticker": "BTCUSDT", "action": "flat", "sl": "45000"}', ORDERS, "sl", "a close alert sells"),
        ('{"ticker": "BTCUSDT", "action": "close", "sl": "45000"}', POSITION, "sl", "brings the position to flat"),
        ('{"ticker": "BTCUSDT", "position_size": "0", "tp": "48000"}', POSITION, "tp", "a target of 0 (flat)"),
        ('{"ticker": "BTCUSDT", "market_position": "flat", "tp": "1", "sl": "2"}', POSITION, "tp", "a target of 0"),
    ],
)  # fmt: skip
def test_exits_on_an_alert_that_only_closes_are_refused_by_name(
    body: str, rules: HookRules, field: str, why: str
) -> None:
    error = refusal(body, rules)
    assert (error.field, error.code, error.http_status) == (field, "bracket_refused", 422)
    assert why in error.message
    assert "nothing to bracket" in error.message


def test_exit_prices_must_be_positive_whatever_the_action() -> None:
    assert refusal('{"ticker": "BTCUSDT", "position_size": "1", "sl": "-5"}', POSITION).field == "sl"


@pytest.mark.parametrize(
    ("body", "rules", "field", "status"),
    [
        ('{"ticker": "BTCUSDT", "action": "buy", "contracts": "0.1", "percent": "5"}', ORDERS, "percent", 422),
        ('{"ticker": "BTCUSDT", "action": "buy", "percent": "150"}', ORDERS, "percent", 422),
        ('{"ticker": "BTCUSDT", "action": "buy"}', ORDERS, "contracts", 422),
        ('{"ticker": "BTCUSDT", "action": "buy", "contracts": "NaN"}', ORDERS, "contracts", 422),
        ('{"ticker": "BTCUSDT", "action": "buy", "contracts": "1", "order_type": "stop"}', ORDERS, "order_type", 422),
        ('{"ticker": "BTCUSDT", "action": "buy", "contracts": "1", "order_type": "limit"}', ORDERS, "price", 422),
        ('{"ticker": "{{ticker}}", "action": "buy", "contracts": "1"}', ORDERS, "ticker", 422),
        ('{"ticker": "BTCUSDT", "action": "sell", "sentiment": "bearish"}', ORDERS, "sentiment", 422),
        ('{"ticker": "BTCUSDT", "market_position": "long"}', POSITION, "position_size", 422),
        ('{"ticker": "BTCUSDT", "market_position": "short"}', POSITION, "market_position", 422),
        ("buy 0.1 BTC/USDT", POSITION, "body", 422),
        ("balance", ORDERS, "body", 422),
        ("[1, 2]", ORDERS, "body", 400),
        ('{"ticker": "BTCUSDT", "action": "buy", "contracts": "1", "time": "yesterday"}', ORDERS, "time", 422),
        ('{"ticker": "BTCUSDT", "action": "buy", "contracts": "1", "id": "' + "x" * 151 + '"}', ORDERS, "id", 422),
        ('{"ticker": "BTCUSDT", "action": "buy", "contracts": "1"}', HookRules(symbols=frozenset({"ETH/USDT"})),
         "ticker", 422),
    ],
)  # fmt: skip
def test_refusals_name_the_field(body: str, rules: HookRules, field: str, status: int) -> None:
    error = refusal(body, rules)
    assert (error.field, error.http_status) == (field, status)
    assert error.message.startswith(f"{field}: ")


def test_dedupe_key_prefers_the_alert_id_and_ignores_surrounding_whitespace() -> None:
    with_id = b'{"ticker": "BTCUSDT", "action": "buy", "contracts": "1", "id": "a-1"}'
    assert dedupe_key(decode(with_id), with_id) == ("id:a-1", False)
    plain = b"buy 1 BTC/USDT"
    assert dedupe_key(decode(plain), plain) == dedupe_key(decode(b"  buy 1 BTC/USDT\n"), b"  buy 1 BTC/USDT\n")
    assert dedupe_key(decode(plain), plain)[1] is True


def test_timenow_and_epoch_times_are_read_as_utc_milliseconds() -> None:
    iso = decode(b'{"time": "2022-01-01T00:00:00Z"}')
    epoch_s = decode(b'{"time": "1640995200"}')
    epoch_ms = decode(b'{"timestamp": 1640995200000}')
    assert iso.time_ms == epoch_s.time_ms == epoch_ms.time_ms == 1_640_995_200_000
