"""The one command model: what every front-end's text, button or payload becomes.

Each command is an immutable value with a ``family`` (the name permissions and help use) and a
``describe()`` giving canonical text that ``hub.grammar.parse`` turns back into an equal command.
Symbols are ``BASE/QUOTE`` upper case, venues lower case, money and quantities ``Decimal``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any, ClassVar, Literal

from engine.domain import OrderType, Side
from engine.errors import GrammarError

Params = tuple[tuple[str, str], ...]

_DURATION_UNITS = (("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60))
_WEIGHT_TOLERANCE = Decimal("0.0001")
_ONE = Decimal(1)
_HUNDRED = Decimal(100)


def format_decimal(value: Decimal) -> str:
    """Render exactly, without exponent or trailing zeros: ``Decimal('1E+3')`` -> ``'1000'``."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_duration(seconds: int) -> str:
    """Render seconds in the largest whole unit: ``1800`` -> ``'30m'``."""
    for unit, size in _DURATION_UNITS:
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def format_percent(fraction: Decimal) -> str:
    """Render a fraction as a percentage: ``Decimal('0.05')`` -> ``'5%'``."""
    return f"{format_decimal(fraction * _HUNDRED)}%"


def _on(venue: str | None) -> str:
    return f" on {venue}" if venue else ""


def _params(params: Params) -> str:
    return "".join(f" {key}={value}" for key, value in params)


class QuantityKind(StrEnum):
    BASE = "base"
    QUOTE = "quote"
    PERCENT = "percent"


@dataclass(frozen=True, slots=True)
class Quantity:
    """An order size: base units, a quote-currency amount, or a percentage (``25`` means 25%)
    of the available balance."""

    kind: QuantityKind
    value: Decimal

    def describe(self) -> str:
        if self.kind is QuantityKind.QUOTE:
            return f"${format_decimal(self.value)}"
        if self.kind is QuantityKind.PERCENT:
            return f"{format_decimal(self.value)}%"
        return format_decimal(self.value)


@dataclass(frozen=True, slots=True)
class ExecAlgo:
    """How to work an order over time: TWAP/VWAP over ``duration_s``, or iceberg showing ``visible``."""

    kind: Literal["twap", "vwap", "iceberg"]
    duration_s: int | None = None
    visible: Decimal | None = None

    def __post_init__(self) -> None:
        if self.kind == "iceberg":
            if self.visible is None or self.visible <= 0 or self.duration_s is not None:
                raise GrammarError("iceberg needs a positive visible quantity and no duration")
        elif self.duration_s is None or self.duration_s <= 0 or self.visible is not None:
            raise GrammarError(f"{self.kind} needs a positive duration and no visible quantity")

    def describe(self) -> str:
        if self.visible is not None:
            return f"iceberg {format_decimal(self.visible)}"
        return f"{self.kind} {format_duration(self.duration_s or 0)}"


@dataclass(frozen=True, slots=True)
class Trade:
    family: ClassVar[str] = "trade"
    side: Side
    quantity: Quantity
    symbol: str
    price: Decimal | None = None
    venue: str | None = None
    algo: ExecAlgo | None = None
    take_profit: Decimal | None = None  # bracket exits, placed after the entry fills
    stop_loss: Decimal | None = None

    @property
    def order_type(self) -> OrderType:
        return OrderType.MARKET if self.price is None else OrderType.LIMIT

    def describe(self) -> str:
        text = f"{self.side.value} {self.quantity.describe()} {self.symbol}"
        if self.price is not None:
            text += f" @ {format_decimal(self.price)}"
        text += _on(self.venue)
        if self.algo is not None:
            text += f" {self.algo.describe()}"
        if self.take_profit is not None:
            text += f" tp {format_decimal(self.take_profit)}"
        if self.stop_loss is not None:
            text += f" sl {format_decimal(self.stop_loss)}"
        return text


@dataclass(frozen=True, slots=True)
class Cancel:
    """Cancel one order (``order_id``) or every open order (``all``): exactly one of the two."""

    family: ClassVar[str] = "cancel"
    order_id: str | None
    all: bool = False

    def __post_init__(self) -> None:
        if self.all == (self.order_id is not None):
            raise GrammarError("cancel needs either an order id or `all`")

    def describe(self) -> str:
        return "cancel all" if self.all else f"cancel {self.order_id}"


@dataclass(frozen=True, slots=True)
class Confirm:
    family: ClassVar[str] = "confirm"
    confirmation_id: str

    def describe(self) -> str:
        return f"confirm {self.confirmation_id}"


@dataclass(frozen=True, slots=True)
class Orders:
    family: ClassVar[str] = "orders"
    venue: str | None = None

    def describe(self) -> str:
        return f"orders{_on(self.venue)}"


@dataclass(frozen=True, slots=True)
class Fills:
    family: ClassVar[str] = "fills"
    venue: str | None = None

    def describe(self) -> str:
        return f"fills{_on(self.venue)}"


@dataclass(frozen=True, slots=True)
class Balance:
    family: ClassVar[str] = "balance"
    venue: str | None = None

    def describe(self) -> str:
        return f"balance{_on(self.venue)}"


@dataclass(frozen=True, slots=True)
class Portfolio:
    family: ClassVar[str] = "portfolio"
    venue: str | None = None

    def describe(self) -> str:
        return f"portfolio{_on(self.venue)}"


@dataclass(frozen=True, slots=True)
class Pnl:
    family: ClassVar[str] = "pnl"
    period: Literal["day", "week", "month", "all"] = "all"

    def describe(self) -> str:
        return f"pnl {self.period}"


@dataclass(frozen=True, slots=True)
class Price:
    family: ClassVar[str] = "price"
    symbol: str

    def describe(self) -> str:
        return f"price {self.symbol}"


@dataclass(frozen=True, slots=True)
class Dca:
    """Buy ``amount`` of quote currency worth of ``symbol`` every ``every_s`` seconds."""

    family: ClassVar[str] = "dca"
    symbol: str
    amount: Decimal
    every_s: int
    params: Params = ()

    def describe(self) -> str:
        return (
            f"dca ${format_decimal(self.amount)} {self.symbol} every {format_duration(self.every_s)}"
            f"{_params(self.params)}"
        )


@dataclass(frozen=True, slots=True)
class Grid:
    family: ClassVar[str] = "grid"
    symbol: str
    low: Decimal
    high: Decimal
    levels: int
    params: Params = ()

    def describe(self) -> str:
        return (
            f"grid {self.symbol} {format_decimal(self.low)} {format_decimal(self.high)} {self.levels}"
            f"{_params(self.params)}"
        )


@dataclass(frozen=True, slots=True)
class Rebalance:
    """Hold ``weights`` (asset, fraction 0..1, summing to 1); ``threshold`` is a fraction of drift,
    ``min_trade`` a quote amount below which no rebalancing trade is placed."""

    family: ClassVar[str] = "rebalance"
    weights: tuple[tuple[str, Decimal], ...]
    every_s: int | None = None
    threshold: Decimal | None = None
    min_trade: Decimal | None = None

    def __post_init__(self) -> None:
        total = sum((weight for _, weight in self.weights), Decimal(0))
        if abs(total - _ONE) > _WEIGHT_TOLERANCE:
            raise GrammarError(
                f"rebalance weights add up to {format_percent(total)}; they must add up to 100%"
            )

    def describe(self) -> str:
        text = "rebalance " + " ".join(f"{asset}={format_percent(weight)}" for asset, weight in self.weights)
        if self.every_s is not None:
            text += f" every {format_duration(self.every_s)}"
        if self.threshold is not None:
            text += f" threshold {format_percent(self.threshold)}"
        if self.min_trade is not None:
            text += f" min ${format_decimal(self.min_trade)}"
        return text


@dataclass(frozen=True, slots=True)
class Strategies:
    family: ClassVar[str] = "strategies"

    def describe(self) -> str:
        return "strategies"


@dataclass(frozen=True, slots=True)
class StopStrategy:
    family: ClassVar[str] = "stop"
    strategy_id: str

    def describe(self) -> str:
        return f"stop {self.strategy_id}"


@dataclass(frozen=True, slots=True)
class Backtest:
    family: ClassVar[str] = "backtest"
    strategy: str
    symbol: str
    params: Params = ()

    def describe(self) -> str:
        return f"backtest {self.strategy} {self.symbol}{_params(self.params)}"


@dataclass(frozen=True, slots=True)
class Follow:
    """Copy ``leader``: sized by ``ratio`` of the leader's size or a ``fixed`` quote amount,
    capped at ``max_allocation`` quote."""

    family: ClassVar[str] = "follow"
    leader: str
    ratio: Decimal | None = None
    fixed: Decimal | None = None
    max_allocation: Decimal | None = None

    def describe(self) -> str:
        text = f"follow {self.leader}"
        if self.ratio is not None:
            text += f" ratio {format_decimal(self.ratio)}"
        if self.fixed is not None:
            text += f" fixed ${format_decimal(self.fixed)}"
        if self.max_allocation is not None:
            text += f" max ${format_decimal(self.max_allocation)}"
        return text


@dataclass(frozen=True, slots=True)
class Lead:
    """Opt in (``on``) or out as a copy-trading leader; ``discord_url`` is a channel webhook for fill posts."""

    family: ClassVar[str] = "lead"
    on: bool
    discord_url: str | None = None

    def describe(self) -> str:
        if not self.on:
            return "lead off"
        return f"lead on discord {self.discord_url}" if self.discord_url else "lead on"


@dataclass(frozen=True, slots=True)
class Unfollow:
    family: ClassVar[str] = "unfollow"
    leader: str

    def describe(self) -> str:
        return f"unfollow {self.leader}"


@dataclass(frozen=True, slots=True)
class Leaders:
    family: ClassVar[str] = "leaders"

    def describe(self) -> str:
        return "leaders"


@dataclass(frozen=True, slots=True)
class Sentiment:
    family: ClassVar[str] = "sentiment"
    symbol: str

    def describe(self) -> str:
        return f"sentiment {self.symbol}"


@dataclass(frozen=True, slots=True)
class Risk:
    family: ClassVar[str] = "risk"

    def describe(self) -> str:
        return "risk"


@dataclass(frozen=True, slots=True)
class Alerts:
    """List recent alerts, or acknowledge the one numbered ``ack_id``."""

    family: ClassVar[str] = "alerts"
    ack_id: int | None = None

    def describe(self) -> str:
        return "alerts" if self.ack_id is None else f"alerts ack {self.ack_id}"


@dataclass(frozen=True, slots=True)
class Kill:
    family: ClassVar[str] = "kill"

    def describe(self) -> str:
        return "kill"


@dataclass(frozen=True, slots=True)
class Resume:
    family: ClassVar[str] = "resume"

    def describe(self) -> str:
        return "resume"


@dataclass(frozen=True, slots=True)
class Help:
    """Help on every family (``topic`` None) or on one family."""

    family: ClassVar[str] = "help"
    topic: str | None = None

    def describe(self) -> str:
        return f"help {self.topic}" if self.topic else "help"


@dataclass(frozen=True, slots=True)
class Link:
    family: ClassVar[str] = "link"
    code: str | None = None

    def describe(self) -> str:
        return f"link {self.code}" if self.code else "link"


@dataclass(frozen=True, slots=True)
class Webhooks:
    family: ClassVar[str] = "webhooks"
    args: tuple[str, ...] = ()

    def describe(self) -> str:
        return " ".join(("webhooks", *self.args))


@dataclass(frozen=True, slots=True)
class Venues:
    """List the caller's configured venues (exchange accounts and DEX wallets), without any secret."""

    family: ClassVar[str] = "venues"

    def describe(self) -> str:
        return "venues"


@dataclass(frozen=True, slots=True)
class VenueChange:
    """``venue remove NAME`` (after a confirmation); ``add`` only answers that adding is done outside chat,
    so its arguments (which may hold keys) are never kept."""

    family: ClassVar[str] = "venue"
    action: Literal["remove", "add"]
    name: str | None = None

    def __post_init__(self) -> None:
        if (self.action == "remove") != (self.name is not None):
            raise GrammarError("`venue remove` needs a venue name; `venue add` takes none here")

    def describe(self) -> str:
        return f"venue remove {self.name}" if self.action == "remove" else "venue add"


Command = (
    Trade | Cancel | Confirm | Orders | Fills | Balance | Portfolio | Pnl | Price
    | Dca | Grid | Rebalance | Strategies | StopStrategy | Backtest
    | Follow | Unfollow | Leaders | Lead | Sentiment | Risk | Alerts | Kill | Resume | Help | Link | Webhooks
    | Venues | VenueChange
)

_MAPPING_FIELDS = frozenset({"params", "weights"})


def to_dict(command: Command) -> dict[str, Any]:
    """Return a JSON-safe dict for audit logs: ``family`` plus every field, Decimals as strings."""
    data: dict[str, Any] = {"family": command.family}
    for field in fields(command):
        value = getattr(command, field.name)
        if field.name in _MAPPING_FIELDS:
            data[field.name] = {key: _json_safe(item) for key, item in value}
        else:
            data[field.name] = _json_safe(value)
    return data


def _json_safe(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value):
        return {field.name: _json_safe(getattr(value, field.name)) for field in fields(value)}
    if isinstance(value, tuple):
        return [_json_safe(item) for item in value]
    return value
