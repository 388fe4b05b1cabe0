"""Wire payloads: the JSON alert bodies TradingView sends (with the aliases other bridges use) and
the REST bodies of the hook API. Decoding lives here; meaning lives in ``tradingview.parse``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

#: A JSON scalar as the alert wrote it; numbers arrive as exact ``Decimal`` (``parse_float=Decimal``).
Scalar = Decimal | int | str | bool | None


def _alias(*names: str) -> Any:
    return Field(None, validation_alias=AliasChoices(*names))


class AlertBody(BaseModel):
    """A JSON alert. Every field is optional here; ``tradingview.parse`` says what is missing.

    Aliases cover the shapes users bring: 3Commas (``secret``, ``tv_instrument``, ``timestamp``,
    ``trigger_price``, ``order.amount``), TradersPost (``sentiment``, ``quantity``) and common
    spellings (``symbol``, ``qty``). Unknown keys stay in ``model_extra`` and are stored, not used.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, str_strip_whitespace=True)

    ticker: Scalar = _alias("ticker", "symbol", "tv_instrument", "instrument")
    exchange: Scalar = _alias("exchange", "tv_exchange")
    action: Scalar = _alias("action", "side", "signal")
    sentiment: Scalar = _alias("sentiment")
    contracts: Scalar = _alias("contracts", "qty", "quantity", "size")
    amount_usd: Scalar = _alias("amount_usd", "amountUsd", "usd")
    percent: Scalar = _alias("percent", "percent_of_equity", "pct")
    order_type: Scalar = _alias("order_type", "orderType", "type")
    price: Scalar = _alias("price", "limit_price", "limitPrice")
    trigger_price: Scalar = _alias("trigger_price", "close")
    position_size: Scalar = _alias("position_size", "positionSize", "strategy_position_size")
    market_position: Scalar = _alias("market_position", "marketPosition")
    tp: Any = _alias("tp", "take_profit", "takeProfit")
    sl: Any = _alias("sl", "stop_loss", "stopLoss")
    id: Scalar = _alias("id", "alert_id", "signal_id")
    passphrase: Scalar = _alias("passphrase", "secret")
    time: Scalar = _alias("time", "timestamp", "timenow")
    venue: Scalar = _alias("venue")
    interval: Scalar = _alias("interval")
    max_lag: Scalar = _alias("max_lag")
    order: dict[str, Any] | None = _alias("order")

    def unknown_keys(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


Mode = Literal["orders", "position"]


class HookCreate(BaseModel):
    """``POST /api/v1/tradingview/hooks``."""

    model_config = ConfigDict(extra="forbid")

    mode: Mode = "orders"
    passphrase: str | None = Field(None, min_length=8, max_length=200)
    venue: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9_\-]{0,31}$")
    default_size: str | None = Field(
        None, pattern=r"^(\$?[0-9]+(\.[0-9]+)?|[0-9]+(\.[0-9]+)?%)$", description="0.01, $100 or 10%"
    )
    symbols: list[str] | None = Field(None, max_length=200, description="Allow-list; BTCUSDT or BTC/USDT")
    allowed_ips: list[str] | None = Field(None, max_length=50, description="Source IPs; `tradingview` = published")
    rate_limit: str | None = Field(None, pattern=r"^\d+/(second|minute|hour)$")
    label: str = Field("", max_length=64)


class HookOut(BaseModel):
    id: str
    url: str | None = None
    token: str | None = None
    token_hint: str
    mode: Mode
    venue: str | None
    default_size: str | None
    symbols: list[str] | None
    allowed_ips: list[str] | None
    rate_limit: str
    label: str
    has_passphrase: bool
    created_ms: int
    revoked_ms: int | None


class AlertOut(BaseModel):
    id: str
    hook_id: str
    received_ms: int
    status: str
    command_text: str | None
    reason: str | None
    order_id: str | None
    duplicate_of: str | None
    completed_ms: int | None
    source_ip: str
    content_type: str
    body: str
    unknown_keys: dict[str, Any] | None
