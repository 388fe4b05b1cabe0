"""Engine tables: balances, orders, fills, positions, the event outbox, P&L snapshots, engine state.

``user_id`` is the owning account's id; the engine treats it as opaque (users live in hub/).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.storage.db import Base, Money


class BalanceRow(Base):
    __tablename__ = "balances"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    venue: Mapped[str] = mapped_column(String(32), primary_key=True)
    asset: Mapped[str] = mapped_column(String(16), primary_key=True)
    total: Mapped[Decimal] = mapped_column(Money, nullable=False)
    locked: Mapped[Decimal] = mapped_column(Money, nullable=False)


class OrderRow(Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("user_id", "idempotency_key", name="uq_orders_user_idempotency"),
        Index("ix_orders_user_status", "user_id", "status"),
        Index("ix_orders_status_venue", "status", "venue"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False)
    venue: Mapped[str] = mapped_column(String(32), nullable=False)
    symbol: Mapped[str] = mapped_column(String(32), nullable=False)
    side: Mapped[str] = mapped_column(String(4), nullable=False)
    type: Mapped[str] = mapped_column(String(8), nullable=False)
    quantity: Mapped[Decimal] = mapped_column(Money, nullable=False)
    price: Mapped[Decimal | None] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    filled_quantity: Mapped[Decimal] = mapped_column(Money, nullable=False)
    average_fill_price: Mapped[Decimal | None] = mapped_column(Money)
    fees: Mapped[Decimal] = mapped_column(Money, nullable=False)
    locked_amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    locked_asset: Mapped[str] = mapped_column(String(16), nullable=False)
    idempotency_key: Mapped[str] = mapped_column(String(200), nullable=False)
    client_order_id: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    venue_order_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(32), nullable=False)
    created_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)
    updated_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)


class FillRow(Base):
    __tablename__ = "fills"
    __table_args__ = (
        UniqueConstraint("order_id", "trade_id", name="uq_fills_order_trade"),
        Index("ix_fills_user_ts", "user_id", "ts_ms"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    trade_id: Mapped[str] = mapped_column(String(64), nullable=False)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False)
    venue: Mapped[str] = mapped_column(String(32), nullable=False)
    symbol: Mapped[str] = mapped_column(String(32), nullable=False)
    side: Mapped[str] = mapped_column(String(4), nullable=False)
    quantity: Mapped[Decimal] = mapped_column(Money, nullable=False)
    price: Mapped[Decimal] = mapped_column(Money, nullable=False)
    fee: Mapped[Decimal] = mapped_column(Money, nullable=False)
    fee_asset: Mapped[str] = mapped_column(String(16), nullable=False)
    realized_pnl: Mapped[Decimal] = mapped_column(Money, nullable=False)
    liquidity: Mapped[str] = mapped_column(String(8), nullable=False)
    ts_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)


class DailyRealizedRow(Base):
    """Realized P&L and fees per user and UTC day, kept with each fill (daily loss limit, ``pnl``)."""

    __tablename__ = "daily_realized"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day_ms: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    realized_pnl: Mapped[Decimal] = mapped_column(Money, nullable=False)
    fees: Mapped[Decimal] = mapped_column(Money, nullable=False)


class PositionRow(Base):
    __tablename__ = "positions"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    venue: Mapped[str] = mapped_column(String(32), primary_key=True)
    symbol: Mapped[str] = mapped_column(String(32), primary_key=True)
    quantity: Mapped[Decimal] = mapped_column(Money, nullable=False)
    average_cost: Mapped[Decimal] = mapped_column(Money, nullable=False)
    realized_pnl: Mapped[Decimal] = mapped_column(Money, nullable=False)
    fees_paid: Mapped[Decimal] = mapped_column(Money, nullable=False)


class OutboxRow(Base):
    """Events written in the same transaction as the state change that caused them."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    type: Mapped[str] = mapped_column(String(40), nullable=False)
    user_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)
    ts_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)
    published: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, index=True)


class PnlSnapshotRow(Base):
    __tablename__ = "pnl_snapshots"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day_ms: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    equity: Mapped[Decimal] = mapped_column(Money, nullable=False)
    realized_pnl: Mapped[Decimal] = mapped_column(Money, nullable=False)
    unrealized_pnl: Mapped[Decimal] = mapped_column(Money, nullable=False)
    taken_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)


class EngineStateRow(Base):
    """Small durable settings: the kill switch, the replay epoch."""

    __tablename__ = "engine_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)
