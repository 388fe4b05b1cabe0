"""Reads and writes of engine rows inside a caller's transaction (SQLAlchemy Core, no ORM session).

Every function takes an open ``Connection``; the OMS decides the transaction boundaries. The
statements of an order's hot path are ``fast.Prepared`` (compiled once, run on the DBAPI cursor).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from engine.domain import (
    ZERO,
    ClientOrderId,
    Fill,
    FillId,
    Order,
    OrderId,
    OrderStatus,
    OrderType,
    Position,
    Side,
    UserId,
)
from engine.events import Event
from engine.storage import fast
from engine.storage.models import (
    BalanceRow,
    DailyRealizedRow,
    EngineStateRow,
    FillRow,
    OrderRow,
    OutboxRow,
    PnlSnapshotRow,
    PositionRow,
)

orders_t = OrderRow.__table__
_INSERT_ORDER = fast.Prepared(orders_t.insert(), [c.name for c in orders_t.columns])
_INSERT_FILL = fast.Prepared(FillRow.__table__.insert(), [c.name for c in FillRow.__table__.columns])
_INSERT_EVENT = fast.Prepared(
    OutboxRow.__table__.insert(), ["event_id", "type", "user_id", "payload", "ts_ms", "published"]
)
daily_t = DailyRealizedRow.__table__
fills_t = FillRow.__table__
balances_t = BalanceRow.__table__
positions_t = PositionRow.__table__
outbox_t = OutboxRow.__table__
state_t = EngineStateRow.__table__
snapshots_t = PnlSnapshotRow.__table__


_UPSERTS: dict[tuple[str, str, tuple[str, ...]], fast.Prepared] = {}


def _upsert(conn: Connection, table: Any, values: dict[str, Any] | list[dict[str, Any]], keys: list[str]) -> None:
    """Insert or update by primary key (a list of rows, all with the same columns, is one executemany);
    the statement is built once per dialect, table and set of columns."""
    rows = values if isinstance(values, list) else [values]
    if not rows:
        return
    columns = tuple(rows[0])
    cache_key = (conn.dialect.name, table.name, columns)
    statement = _UPSERTS.get(cache_key)
    if statement is None:
        insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        base = insert(table)
        changes = {c.name: base.excluded[c.name] for c in table.columns if c.name not in keys}
        upsert = base.on_conflict_do_update(index_elements=keys, set_=changes)
        statement = _UPSERTS[cache_key] = fast.Prepared(upsert, list(columns))
    if len(rows) == 1:
        fast.execute(conn, statement, rows[0])
    else:
        fast.execute_many(conn, statement, rows)


def _locking(statement: Any, conn: Connection) -> Any:
    return statement.with_for_update() if conn.dialect.name == "postgresql" else statement


# -- orders -------------------------------------------------------------------------------------


def order_from_row(row: Any) -> Order:
    return Order(
        id=OrderId(row.id),
        user_id=UserId(row.user_id),
        venue=row.venue,
        symbol=row.symbol,
        side=Side(row.side),
        type=OrderType(row.type),
        quantity=row.quantity,
        price=row.price,
        status=OrderStatus(row.status),
        idempotency_key=row.idempotency_key,
        client_order_id=ClientOrderId(row.client_order_id),
        created_ms=row.created_ms,
        updated_ms=row.updated_ms,
        filled_quantity=row.filled_quantity,
        average_fill_price=row.average_fill_price,
        fees=row.fees,
        reason=row.reason,
        source=row.source,
    )


def insert_order(conn: Connection, order: Order, *, locked_asset: str, locked_amount: Decimal) -> None:
    fast.execute(
        conn,
        _INSERT_ORDER,
        dict(
            id=order.id,
            user_id=order.user_id,
            venue=order.venue,
            symbol=order.symbol,
            side=order.side.value,
            type=order.type.value,
            quantity=order.quantity,
            price=order.price,
            status=order.status.value,
            filled_quantity=order.filled_quantity,
            average_fill_price=order.average_fill_price,
            fees=order.fees,
            locked_amount=locked_amount,
            locked_asset=locked_asset,
            idempotency_key=order.idempotency_key,
            client_order_id=order.client_order_id,
            venue_order_id=None,
            reason=order.reason,
            source=order.source,
            created_ms=order.created_ms,
            updated_ms=order.updated_ms,
        ),
    )


_UPDATE_ORDER = (
    update(orders_t)
    .where(orders_t.c.id == bindparam("order_id"))
    .values(
        status=bindparam("status"),
        filled_quantity=bindparam("filled_quantity"),
        average_fill_price=bindparam("average_fill_price"),
        fees=bindparam("fees"),
        reason=bindparam("reason"),
        updated_ms=bindparam("updated_ms"),
        locked_amount=bindparam("locked_amount"),
        venue_order_id=bindparam("venue_order_id"),
    )
)


def update_order(conn: Connection, order: Order, *, locked_amount: Decimal, venue_order_id: str | None) -> None:
    conn.execute(
        _UPDATE_ORDER,
        {
            "order_id": order.id,
            "status": order.status.value,
            "filled_quantity": order.filled_quantity,
            "average_fill_price": order.average_fill_price,
            "fees": order.fees,
            "reason": order.reason,
            "updated_ms": order.updated_ms,
            "locked_amount": locked_amount,
            "venue_order_id": venue_order_id,
        },
    )


_ORDER_BY_KEY = fast.Prepared(
    select(orders_t).where(orders_t.c.user_id == bindparam("user_id"), orders_t.c.idempotency_key == bindparam("key"))
)
_ORDER_BY_ID = select(orders_t).where(orders_t.c.id == bindparam("order_id"))
_ORDER_BY_ID_LOCKED = _ORDER_BY_ID.with_for_update()
_ORDER_BY_CLIENT_ID = select(orders_t).where(orders_t.c.client_order_id == bindparam("client_order_id"))


def order_by_key(conn: Connection, user_id: int, idempotency_key: str) -> Order | None:
    row = fast.fetch_first(conn, _ORDER_BY_KEY, {"user_id": user_id, "key": idempotency_key})
    return order_from_row(row) if row else None


def order_row(conn: Connection, order_id: str, *, for_update: bool = False) -> Any:
    locked = for_update and conn.dialect.name == "postgresql"
    return conn.execute(_ORDER_BY_ID_LOCKED if locked else _ORDER_BY_ID, {"order_id": order_id}).first()


def order_by_client_id(conn: Connection, client_order_id: str) -> Order | None:
    row = conn.execute(_ORDER_BY_CLIENT_ID, {"client_order_id": client_order_id}).first()
    return order_from_row(row) if row else None


def list_orders(
    conn: Connection,
    *,
    user_id: int | None,
    statuses: tuple[OrderStatus, ...] | None = None,
    venue: str | None = None,
    limit: int = 50,
) -> list[Order]:
    statement = select(orders_t).order_by(orders_t.c.created_ms.desc(), orders_t.c.id.desc()).limit(limit)
    if user_id is not None:
        statement = statement.where(orders_t.c.user_id == user_id)
    if statuses:
        statement = statement.where(orders_t.c.status.in_([s.value for s in statuses]))
    if venue:
        statement = statement.where(orders_t.c.venue == venue)
    return [order_from_row(row) for row in conn.execute(statement)]


# -- fills --------------------------------------------------------------------------------------


def insert_fill(conn: Connection, fill: Fill, *, trade_id: str, realized_pnl: Decimal) -> None:
    fast.execute(
        conn,
        _INSERT_FILL,
        dict(
            id=fill.id,
            order_id=fill.order_id,
            trade_id=trade_id,
            user_id=fill.user_id,
            venue=fill.venue,
            symbol=fill.symbol,
            side=fill.side.value,
            quantity=fill.quantity,
            price=fill.price,
            fee=fill.fee,
            fee_asset=fill.fee_asset,
            realized_pnl=realized_pnl,
            liquidity=fill.liquidity,
            ts_ms=fill.ts_ms,
        ),
    )


def trade_ids(conn: Connection, order_id: str) -> set[str]:
    """The venue trade ids already booked for an order."""
    return set(conn.execute(select(fills_t.c.trade_id).where(fills_t.c.order_id == order_id)).scalars())


def list_fills(conn: Connection, *, user_id: int, venue: str | None = None, limit: int = 50) -> list[Fill]:
    statement = (
        select(fills_t)
        .where(fills_t.c.user_id == user_id)
        .order_by(fills_t.c.ts_ms.desc(), fills_t.c.id.desc())
        .limit(limit)
    )
    if venue:
        statement = statement.where(fills_t.c.venue == venue)
    return [
        Fill(
            FillId(r.id),
            OrderId(r.order_id),
            UserId(r.user_id),
            r.venue,
            r.symbol,
            Side(r.side),
            r.quantity,
            r.price,
            r.fee,
            r.fee_asset,
            r.ts_ms,
            r.liquidity,
        )
        for r in conn.execute(statement)
    ]


_DAILY = fast.Prepared(
    select(daily_t).where(daily_t.c.user_id == bindparam("user_id"), daily_t.c.day_ms == bindparam("day_ms"))
)


def daily_realized(conn: Connection, user_id: int, day_ms: int) -> tuple[Decimal, Decimal]:
    """Realized P&L and fees of a user's fills on the UTC day starting at ``day_ms``."""
    row = fast.fetch_first(conn, _DAILY, {"user_id": user_id, "day_ms": day_ms})
    return (row.realized_pnl, row.fees) if row else (ZERO, ZERO)


def save_daily_realized(conn: Connection, user_id: int, day_ms: int, realized: Decimal, fees: Decimal) -> None:
    _upsert(
        conn,
        daily_t,
        {"user_id": user_id, "day_ms": day_ms, "realized_pnl": realized, "fees": fees},
        ["user_id", "day_ms"],
    )


def realized_since(conn: Connection, user_id: int, since_ms: int) -> tuple[Decimal, Decimal]:
    """Sum of realized P&L and of fees of a user's fills on the days from ``since_ms`` on."""
    rows = conn.execute(select(daily_t).where(daily_t.c.user_id == user_id, daily_t.c.day_ms >= since_ms))
    realized = fees = ZERO
    for row in rows:
        realized += row.realized_pnl
        fees += row.fees
    return realized, fees


# -- balances and positions ---------------------------------------------------------------------


_BALANCES_SELECT = select(balances_t).where(
    balances_t.c.user_id == bindparam("user_id"), balances_t.c.venue == bindparam("venue")
)
_BALANCES = fast.Prepared(_BALANCES_SELECT)
_BALANCES_LOCKED = fast.Prepared(_BALANCES_SELECT.with_for_update())


def balances(
    conn: Connection, user_id: int, venue: str, *, for_update: bool = False
) -> dict[str, tuple[Decimal, Decimal]]:
    """``asset -> (total, locked)``."""
    locked = for_update and conn.dialect.name == "postgresql"
    rows = fast.fetch_all(conn, _BALANCES_LOCKED if locked else _BALANCES, {"user_id": user_id, "venue": venue})
    return {row.asset: (row.total, row.locked) for row in rows}


def set_balance(conn: Connection, user_id: int, venue: str, asset: str, total: Decimal, locked: Decimal) -> None:
    _upsert(
        conn,
        balances_t,
        {"user_id": user_id, "venue": venue, "asset": asset, "total": total, "locked": locked},
        ["user_id", "venue", "asset"],
    )


def set_balances(conn: Connection, user_id: int, venue: str, changed: dict[str, tuple[Decimal, Decimal]]) -> None:
    """Write several ``asset -> (total, locked)`` balances of one account in one executemany."""
    if changed:
        rows = [
            {"user_id": user_id, "venue": venue, "asset": asset, "total": total, "locked": locked}
            for asset, (total, locked) in changed.items()
        ]
        _upsert(conn, balances_t, rows, ["user_id", "venue", "asset"])


_POSITION = fast.Prepared(
    select(positions_t).where(
        positions_t.c.user_id == bindparam("user_id"),
        positions_t.c.venue == bindparam("venue"),
        positions_t.c.symbol == bindparam("symbol"),
    )
)


def position(conn: Connection, user_id: int, venue: str, symbol: str) -> Position:
    row = fast.fetch_first(conn, _POSITION, {"user_id": user_id, "venue": venue, "symbol": symbol})
    if row is None:
        return Position(UserId(user_id), venue, symbol)
    return Position(UserId(user_id), venue, symbol, row.quantity, row.average_cost, row.realized_pnl, row.fees_paid)


def positions(conn: Connection, user_id: int, venue: str | None = None) -> list[Position]:
    statement = select(positions_t).where(positions_t.c.user_id == user_id).order_by(positions_t.c.symbol)
    if venue:
        statement = statement.where(positions_t.c.venue == venue)
    return [
        Position(UserId(r.user_id), r.venue, r.symbol, r.quantity, r.average_cost, r.realized_pnl, r.fees_paid)
        for r in conn.execute(statement)
    ]


def save_position(conn: Connection, pos: Position) -> None:
    _upsert(
        conn,
        positions_t,
        {
            "user_id": pos.user_id,
            "venue": pos.venue,
            "symbol": pos.symbol,
            "quantity": pos.quantity,
            "average_cost": pos.average_cost,
            "realized_pnl": pos.realized_pnl,
            "fees_paid": pos.fees_paid,
        },
        ["user_id", "venue", "symbol"],
    )


# -- outbox, state, snapshots -------------------------------------------------------------------


def add_events(conn: Connection, events: list[Event]) -> None:
    if events:
        fast.execute_many(
            conn,
            _INSERT_EVENT,
            [
                {
                    "event_id": e.id,
                    "type": e.type,
                    "user_id": e.user_id,
                    "payload": e.data,
                    "ts_ms": e.ts_ms,
                    "published": False,
                }
                for e in events
            ],
        )


_STATE = fast.Prepared(select(state_t.c.value).where(state_t.c.key == bindparam("key")))


def get_state(conn: Connection, key: str) -> str | None:
    row = fast.fetch_first(conn, _STATE, {"key": key})
    return None if row is None else row[0]


def set_state(conn: Connection, key: str, value: str) -> None:
    _upsert(conn, state_t, {"key": key, "value": value}, ["key"])


def save_snapshot(conn: Connection, values: dict[str, Any]) -> None:
    _upsert(conn, snapshots_t, values, ["user_id", "day_ms"])


def user_ids_with_balances(conn: Connection) -> list[int]:
    return [row[0] for row in conn.execute(select(balances_t.c.user_id).distinct().order_by(balances_t.c.user_id))]


def count_orders(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(orders_t)).scalar_one()


def snapshots(conn: Connection, user_id: int, since_ms: int) -> list[tuple[int, Decimal]]:
    rows = conn.execute(
        select(snapshots_t.c.day_ms, snapshots_t.c.equity)
        .where(snapshots_t.c.user_id == user_id, snapshots_t.c.day_ms >= since_ms)
        .order_by(snapshots_t.c.day_ms)
    )
    return [(row.day_ms, row.equity) for row in rows]
