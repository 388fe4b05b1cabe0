"""Alert body -> ``Signal``: what to trade, how much, and the key that makes a resend harmless.

TradingView sends ``application/json`` only when the rendered message is valid JSON, otherwise
``text/plain``; so JSON is recognised by its shape, not by the header. Text bodies are the chat
grammar (``buy 0.1 BTC/USDT``) or TradingView's default strategy message. Every refusal is an
``AlertRejected`` that names the field, so the user can fix their alert template.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from engine.domain import Side
from engine.errors import GrammarError, UserInputError
from hub import grammar
from hub.commands import Quantity, QuantityKind, Trade, format_decimal
from hub.symbols import normalize_symbol
from tradingview.schemas import AlertBody

_PLACEHOLDER = re.compile(r"\{\{[^}]*\}\}")
_EMPTY_VALUE = re.compile(r'"([^"\\]{1,64})"\s*:\s*(?=[,}\]])')
_PASSPHRASE_WORD = re.compile(r"(?:^|\s)passphrase=(\S+)")
_DEFAULT_MESSAGE = re.compile(
    r"order\s+(buy|sell)\s+@\s+([0-9.]+)\s+filled\s+on\s+(\S+?)\.?\s+new\s+strategy\s+position\s+is\s+(-?[0-9.]+)",
    re.IGNORECASE,
)
_MAX_ID = 150
#: a run of 16+ digits (with its point) may not survive a float; such bodies are parsed exactly
_LONG_NUMBER = re.compile(r"[0-9.eE+\-]{16,}")
_ONE_HUNDRED = Decimal(100)

_BUY = frozenset({"buy", "long", "enter_long", "open_long", "add"})
_SELL = frozenset({"sell"})
_CLOSE = frozenset({"close", "flat", "exit", "exit_long", "close_long", "reverse"})
_SHORT = frozenset({"short", "enter_short", "open_short", "exit_short", "close_short"})


class AlertRejected(UserInputError):
    """The alert cannot be traded as written; ``field`` names what to fix."""

    code = "invalid_alert"

    def __init__(self, field: str, message: str, *, status: int = 422, code: str | None = None) -> None:
        super().__init__(f"{field}: {message}", code=code)
        self.field = field
        self.http_status = status


@dataclass(frozen=True, slots=True)
class Signal:
    """One alert's meaning. ``kind``: ``trade`` (side and quantity), ``close`` (sell the position)
    or ``target`` (position mode: trade the difference to ``target`` base units)."""

    kind: str
    symbol: str
    side: Side | None = None
    quantity: Quantity | None = None
    price: Decimal | None = None
    venue: str | None = None
    target: Decimal | None = None
    has_exits: bool = False
    take_profit: Decimal | None = None  # bracket exits (``tp``/``sl``) of a trade or of a target that
    stop_loss: Decimal | None = None  # buys: placed on what was bought, after it fills

    def command_text(self) -> str | None:
        """The hub command for a trade; ``None`` when it depends on the position at execution."""
        if self.kind != "trade" or self.side is None or self.quantity is None:
            return None
        return Trade(
            self.side, self.quantity, self.symbol, self.price, self.venue,
            take_profit=self.take_profit, stop_loss=self.stop_loss,
        ).describe()  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "symbol": self.symbol,
            "side": None if self.side is None else self.side.value,
            "quantity": None if self.quantity is None else self.quantity.describe(),
            "price": None if self.price is None else format_decimal(self.price),
            "venue": self.venue,
            "target": None if self.target is None else format_decimal(self.target),
            "has_exits": self.has_exits,
            "take_profit": None if self.take_profit is None else format_decimal(self.take_profit),
            "stop_loss": None if self.stop_loss is None else format_decimal(self.stop_loss),
        }


@dataclass(frozen=True, slots=True)
class HookRules:
    """What a hook adds to the alert: its mode, defaults and allow-list."""

    mode: str = "orders"
    venue: str | None = None
    default_size: str | None = None
    symbols: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Decoded:
    """A body taken apart: the fields the route checks before anything is stored."""

    body: AlertBody | None
    text: str | None
    passphrase: str | None
    alert_id: str | None
    time_ms: int | None
    max_lag_s: int | None
    unknown: dict[str, Any]


def decode(raw: bytes) -> Decoded:
    """Read a JSON or text alert; raise ``AlertRejected`` for bodies that cannot be read at all."""
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise AlertRejected("body", "is not UTF-8 text", status=400, code="malformed") from None
    if not text:
        raise AlertRejected("body", "is empty; write a JSON alert or a command like `buy 0.01 BTCUSDT`", status=400)
    if text[0] not in "{[":
        words, passphrase = _strip_passphrase(text)
        return Decoded(None, words, passphrase, None, None, None, {})
    body = _json_body(text)
    return Decoded(
        body,
        None,
        _optional_text("passphrase", body.passphrase),
        _alert_id(body.id),
        _time_ms(body.time),
        _whole_seconds("max_lag", body.max_lag),
        body.unknown_keys(),
    )


def _json_body(text: str) -> AlertBody:
    if _LONG_NUMBER.search(text) is None:  # every number fits a float exactly: let pydantic parse
        try:
            return AlertBody.model_validate_json(text)
        except ValidationError:
            pass  # malformed JSON or a bad field: the exact path below names the problem
    try:
        loaded = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        empty = _EMPTY_VALUE.search(text)
        if empty is not None:
            raise AlertRejected(
                empty.group(1),
                "has no value: an unquoted TradingView placeholder rendered empty; quote it or check the alert",
                status=400,
                code="malformed",
            ) from None
        raise AlertRejected(
            "body",
            f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}",
            status=400,
            code="malformed",
        ) from None
    if not isinstance(loaded, dict):
        raise AlertRejected("body", "must be a JSON object", status=400, code="malformed")
    try:
        return AlertBody.model_validate(loaded)
    except ValidationError as error:
        item = error.errors()[0]
        where = ".".join(str(part) for part in item["loc"]) or "body"
        raise AlertRejected(where, item["msg"], status=422) from None


def _strip_passphrase(text: str) -> tuple[str, str | None]:
    found = _PASSPHRASE_WORD.search(text)
    if found is None:
        return text, None
    return (text[: found.start()] + " " + text[found.end() :]).strip(), found.group(1)


def dedupe_key(decoded: Decoded, raw: bytes) -> tuple[str, bool]:
    """``(key, windowed)``: the alert's own id forever, else the body's hash within the window."""
    if decoded.alert_id is not None:
        return f"id:{decoded.alert_id}", False
    return f"body:{hashlib.sha256(raw.strip()).hexdigest()}", True


def interpret(decoded: Decoded, rules: HookRules) -> Signal:
    """Turn a decoded alert into a ``Signal`` under the hook's rules, or raise ``AlertRejected``."""
    if decoded.body is None:
        assert decoded.text is not None
        signal = _text_signal(decoded.text, rules)
    else:
        signal = _json_signal(decoded.body, rules)
    if rules.symbols is not None and signal.symbol not in rules.symbols:
        raise AlertRejected(
            "ticker", f"{signal.symbol} is not on this hook's symbol allow-list", code="symbol_not_allowed"
        )
    return signal


# --- text bodies --------------------------------------------------------------------------------


def _text_signal(text: str, rules: HookRules) -> Signal:
    _refuse_placeholder("body", text)
    default = _DEFAULT_MESSAGE.search(text)
    if default is not None:
        side, contracts, ticker, position = default.groups()
        symbol = _symbol(ticker)
        if rules.mode == "position":
            return _target(symbol, _decimal("position_size", position), None, rules)
        quantity = Quantity(QuantityKind.BASE, _positive("contracts", contracts))
        return Signal("trade", symbol, Side(side.lower()), quantity, venue=rules.venue)
    try:
        command = grammar.parse(text)
    except GrammarError as error:
        raise AlertRejected("body", error.message, code="bad_command") from None
    if not isinstance(command, Trade):
        raise AlertRejected("body", f"only buy and sell commands can be sent by alert, not `{command.family}`")
    if command.algo is not None:
        raise AlertRejected("body", f"{command.algo.kind} execution is not available for alerts", code="not_available")
    if rules.mode == "position":
        raise AlertRejected("body", "a position-mode hook needs a JSON alert with position_size or market_position")
    return Signal("trade", command.symbol, command.side, command.quantity, command.price, command.venue or rules.venue,
                  take_profit=command.take_profit, stop_loss=command.stop_loss)  # fmt: skip


# --- JSON bodies --------------------------------------------------------------------------------


def _json_signal(body: AlertBody, rules: HookRules) -> Signal:
    if body.ticker is None or body.ticker == "":
        raise AlertRejected("ticker", 'is missing; add "ticker": "{{ticker}}"')
    symbol = _symbol(_text("ticker", body.ticker))
    venue = _optional_text("venue", body.venue) or rules.venue
    exits = _Exits.of(body)
    action = _action(body)
    if rules.mode == "position":
        return _position_signal(body, symbol, action, venue, rules, exits)
    if action is None:
        raise AlertRejected("action", "is missing; use buy, sell, close, reverse or flat")
    if action == "close":
        exits.refuse("a close alert sells the whole position")
        return Signal("close", symbol, Side.SELL, venue=venue)
    price = _limit_price(body)
    quantity = _quantity(body, rules)
    return Signal("trade", symbol, Side(action), quantity, price, venue, has_exits=exits.given,
                  take_profit=exits.take_profit, stop_loss=exits.stop_loss)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Exits:
    """An alert's ``tp``/``sl``: bracket exits, placed on what the alert trades once it has filled."""

    take_profit: Decimal | None
    stop_loss: Decimal | None

    @classmethod
    def of(cls, body: AlertBody) -> _Exits:
        return cls(_exit_price("tp", body.tp), _exit_price("sl", body.sl))

    @property
    def given(self) -> bool:
        return self.take_profit is not None or self.stop_loss is not None

    def refuse(self, why: str) -> None:
        """Refuse exits on an alert that opens nothing for them to protect."""
        if self.given:
            raise AlertRejected(
                "tp" if self.take_profit is not None else "sl",
                f"take-profit and stop-loss protect a position the alert opens or adds to; {why}, so there is "
                "nothing to bracket (remove tp/sl from this alert, or send them with the alert that buys)",
                code="bracket_refused",
            )


def _exit_price(field: str, value: Any) -> Decimal | None:
    if not _has_value(value):
        return None
    if isinstance(value, float):  # an unquoted number read by the fast path (short: its repr is exact)
        value = Decimal(repr(value))
    return _positive(field, value)


def _position_signal(
    body: AlertBody, symbol: str, action: str | None, venue: str | None, rules: HookRules, exits: _Exits
) -> Signal:
    if action == "close":
        exits.refuse("a close alert brings the position to flat")
        return Signal("target", symbol, venue=venue, target=Decimal(0))
    if body.position_size not in (None, ""):
        target = _decimal("position_size", body.position_size)
    else:
        market = _optional_text("market_position", body.market_position)
        if market is None:
            raise AlertRejected("position_size", 'is missing; position mode needs "{{strategy.position_size}}"')
        if market.lower() == "flat":
            target = Decimal(0)
        elif market.lower() == "short":
            raise AlertRejected(
                "market_position", "short positions are not available on spot venues", code="short_refused"
            )
        else:
            raise AlertRejected("position_size", f"is missing; market_position {market} needs the position size")
    signal = _target(symbol, target, venue, rules)
    if signal.target == 0:
        exits.refuse("a target of 0 (flat) closes the position")
    return Signal(signal.kind, symbol, venue=signal.venue, target=signal.target, has_exits=exits.given,
                  take_profit=exits.take_profit, stop_loss=exits.stop_loss)  # fmt: skip


def _target(symbol: str, target: Decimal, venue: str | None, rules: HookRules) -> Signal:
    if target < 0:
        raise AlertRejected(
            "position_size",
            f"target {format_decimal(target)} is short; spot venues cannot hold short positions",
            code="short_refused",
        )
    return Signal("target", symbol, venue=venue or rules.venue, target=target)


def _action(body: AlertBody) -> str | None:
    """``buy``, ``sell``, ``close`` or ``None``; refuse shorts and what cannot be mapped."""
    if body.action is None or body.action == "":
        sentiment = _optional_text("sentiment", body.sentiment)
        if sentiment is not None and sentiment.lower() == "flat":
            return "close"
        return None
    word = _text("action", body.action).lower()
    sentiment = (_optional_text("sentiment", body.sentiment) or "").lower()
    if word in _SELL and sentiment == "flat":
        return "close"  # TradersPost: sell to flat is an exit
    if word in _SELL and sentiment == "bearish":
        raise AlertRejected(
            "sentiment", "bearish means opening a short, which spot venues cannot do", code="short_refused"
        )
    if word in _BUY and sentiment == "flat":
        raise AlertRejected("sentiment", "buy to flat closes a short; spot venues hold no shorts", code="short_refused")
    if word in _BUY:
        return "buy"
    if word in _SELL:
        return "sell"
    if word in _CLOSE:
        return "close"
    if word in _SHORT:
        raise AlertRejected(
            "action", f"{word} needs a short position, which spot venues cannot hold", code="short_refused"
        )
    raise AlertRejected("action", f"unknown action {word!r}; use buy, sell, close, reverse or flat")


def _quantity(body: AlertBody, rules: HookRules) -> Quantity:
    given = [
        (name, value)
        for name, value in (("contracts", body.contracts), ("amount_usd", body.amount_usd), ("percent", body.percent))
        if value is not None and value != ""
    ]
    if not given and body.order:
        return _three_commas_quantity(body.order)
    if len(given) > 1:
        raise AlertRejected(given[1][0], f"give only one of contracts, amount_usd or percent, not {given[0][0]} too")
    if not given:
        if rules.default_size is None:
            raise AlertRejected("contracts", 'is missing and the hook has no default size; add "contracts"')
        return grammar_quantity(rules.default_size)
    name, value = given[0]
    amount = _positive(name, value)
    if name == "percent":
        if amount > _ONE_HUNDRED:
            raise AlertRejected("percent", f"{format_decimal(amount)} is over 100")
        return Quantity(QuantityKind.PERCENT, amount)
    return Quantity(QuantityKind.QUOTE if name == "amount_usd" else QuantityKind.BASE, amount)


def _three_commas_quantity(order: dict[str, Any]) -> Quantity:
    amount = _positive("order.amount", order.get("amount"))
    currency = str(order.get("currency_type", "base")).lower()
    kinds = {"base": QuantityKind.BASE, "quote": QuantityKind.QUOTE, "margin_percent": QuantityKind.PERCENT}
    if currency not in kinds:
        raise AlertRejected("order.currency_type", f"unknown {currency!r}; use base, quote or margin_percent")
    return Quantity(kinds[currency], amount)


def grammar_quantity(size: str) -> Quantity:
    """A hook's default size as written (``0.01``, ``$100``, ``10%``)."""
    if size.startswith("$"):
        return Quantity(QuantityKind.QUOTE, Decimal(size[1:]))
    if size.endswith("%"):
        return Quantity(QuantityKind.PERCENT, Decimal(size[:-1]))
    return Quantity(QuantityKind.BASE, Decimal(size))


def _limit_price(body: AlertBody) -> Decimal | None:
    order_type = (_optional_text("order_type", body.order_type) or "market").lower()
    if order_type == "market":
        return None  # a "price": "{{close}}" beside a market order is informational
    if order_type != "limit":
        raise AlertRejected("order_type", f"unknown order type {order_type!r}; use market or limit")
    if body.price is None or body.price == "":
        raise AlertRejected("price", "is missing; a limit order needs a price")
    return _positive("price", body.price)


# --- scalars ------------------------------------------------------------------------------------


def _has_value(value: Any) -> bool:
    return value not in (None, "", {}, [])


def _refuse_placeholder(field: str, text: str) -> None:
    found = _PLACEHOLDER.search(text)
    if found is not None:
        raise AlertRejected(field, f"placeholder {found.group(0)} was not filled in by TradingView")


def _text(field: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise AlertRejected(field, "must be text")
    text = str(value).strip()
    _refuse_placeholder(field, text)
    return text


def _optional_text(field: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    return _text(field, value)


def _decimal(field: str, value: Any) -> Decimal:
    text = _text(field, value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise AlertRejected(field, f"{text[:40]!r} is not a number") from None
    if not number.is_finite():
        raise AlertRejected(field, f"{text[:40]!r} is not a finite number")
    return number


def _positive(field: str, value: Any) -> Decimal:
    if value is None or value == "":
        raise AlertRejected(field, "is missing")
    number = _decimal(field, value)
    if number <= 0:
        raise AlertRejected(field, f"must be positive, got {format_decimal(number)}")
    return number


def _symbol(ticker: str) -> str:
    try:
        return normalize_symbol(ticker)
    except GrammarError as error:
        raise AlertRejected("ticker", error.message, code="unknown_symbol") from None


def _alert_id(value: Any) -> str | None:
    text = _optional_text("id", value)
    if text is not None and len(text) > _MAX_ID:
        raise AlertRejected("id", f"is longer than {_MAX_ID} characters")
    return text


def _whole_seconds(field: str, value: Any) -> int | None:
    if value is None or value == "":
        return None
    seconds = _positive(field, value)
    return int(seconds)


def _time_ms(value: Any) -> int | None:
    """``{{timenow}}`` (``2024-05-01T12:00:00Z``) or epoch seconds or milliseconds."""
    text = _optional_text("time", value)
    if text is None:
        return None
    if text.isdigit():
        number = int(text)
        return number if number > 10**11 else number * 1000
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise AlertRejected("time", f"{text[:40]!r} is not an ISO 8601 time like {{{{timenow}}}}") from None
    if parsed.tzinfo is None:
        raise AlertRejected("time", f"{text[:40]!r} has no time zone; TradingView's {{{{timenow}}}} ends in Z")
    return int(parsed.timestamp() * 1000)
