"""ccxt's unified structures (market, ticker, order, trade, balance) parsed at the edge.

ccxt hands back plain dicts of floats; these models turn them into ``Decimal`` values (via the
float's shortest decimal form, i.e. the string the exchange sent) and reject a structure missing
a field the adapter relies on, with the field named.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from engine.errors import VenueError


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Precision(_Model):
    amount: Decimal | None = None
    price: Decimal | None = None


class MinMax(_Model):
    min: Decimal | None = None
    max: Decimal | None = None


class Limits(_Model):
    amount: MinMax = Field(default_factory=MinMax)
    price: MinMax = Field(default_factory=MinMax)
    cost: MinMax = Field(default_factory=MinMax)


class MarketSchema(_Model):
    id: str
    symbol: str
    base: str
    quote: str
    active: bool | None = None
    spot: bool | None = None
    precision: Precision
    limits: Limits = Field(default_factory=Limits)


class TickerSchema(_Model):
    symbol: str
    last: Decimal | None = None
    bid: Decimal | None = None
    ask: Decimal | None = None
    close: Decimal | None = None
    timestamp: int | None = None


class FeeSchema(_Model):
    cost: Decimal | None = None
    currency: str | None = None


class TradeSchema(_Model):
    id: str
    order: str | None = None
    symbol: str | None = None
    side: str | None = None
    amount: Decimal
    price: Decimal
    timestamp: int | None = None
    fee: FeeSchema | None = None
    takerOrMaker: str | None = None  # ccxt's field name


class OrderSchema(_Model):
    id: str
    clientOrderId: str | None = None  # ccxt's field name
    symbol: str
    type: str | None = None
    side: str | None = None
    status: str | None = None
    amount: Decimal | None = None
    price: Decimal | None = None
    average: Decimal | None = None
    filled: Decimal | None = None
    remaining: Decimal | None = None
    timestamp: int | None = None
    fee: FeeSchema | None = None
    trades: tuple[TradeSchema, ...] = ()

    trade_ids: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _split_trade_references(cls, value: Any) -> Any:
        # Some exchanges (kraken) list only trade ids on an order; those are fetched separately.
        if not isinstance(value, dict):
            return value
        listed = value.get("trades") or []
        complete = [trade for trade in listed if trade.get("amount") is not None and trade.get("price") is not None]
        ids = tuple(str(trade["id"]) for trade in listed if trade.get("id") is not None)
        return {**value, "trades": complete, "trade_ids": ids}


M = TypeVar("M", bound=BaseModel)


def parse_venue_answer(model: type[M], raw: Any, *, venue: str) -> M:
    """Validate one ccxt structure; a shape the adapter cannot use is a ``VenueError`` naming the field."""
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(root)"
        raise VenueError(
            f"{venue} returned an unexpected {model.__name__.removesuffix('Schema').lower()}: "
            f"field '{where}' {first['msg'].lower()}"
        ) from None


def parse_balances(raw: dict[str, Any], *, field_name: str) -> dict[str, Decimal]:
    """Return ``{asset: amount}`` of ccxt's ``balance[field_name]`` ('free' or 'total'), non-zero only."""
    amounts = raw.get(field_name) or {}
    balances: dict[str, Decimal] = {}
    for asset, amount in amounts.items():
        if amount is None:
            continue
        value = Decimal(str(amount))
        if value != 0:
            balances[str(asset)] = value
    return balances
