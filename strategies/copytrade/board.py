"""The ``leaders`` board: each active leader's return and maximum drawdown over the last 30 days, from the
end-of-day equity snapshots (the ``pnl_snapshots`` store) plus the equity now. A leader who opted in
within the window, or has no snapshot in it, is measured from the equity they had when they opted in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.engine import Engine

from engine.domain import ZERO, UserId
from engine.portfolio import PortfolioService
from engine.storage import repository as repo
from strategies.copytrade import storage

WINDOW_MS = 30 * 86_400_000


@dataclass(frozen=True, slots=True)
class LeaderStats:
    user_id: int
    name: str
    followers: int
    equity: Decimal
    return_30d: Decimal  # a fraction: 0.05 is +5%
    max_drawdown_30d: Decimal  # a fraction of the peak, 0 or more

    def to_dict(self) -> dict[str, object]:
        return {"leader": self.name, "followers": self.followers, "equity": str(self.equity),
                "return_30d": str(self.return_30d), "max_drawdown_30d": str(self.max_drawdown_30d)}  # fmt: skip


def period_return(equity: Sequence[Decimal]) -> Decimal:
    """Last over first, less one; zero without a positive starting value."""
    if len(equity) < 2 or equity[0] <= ZERO:
        return ZERO
    return equity[-1] / equity[0] - 1


def max_drawdown(equity: Sequence[Decimal]) -> Decimal:
    """The largest fall from a running peak, as a fraction of that peak."""
    peak, worst = ZERO, ZERO
    for value in equity:
        peak = max(peak, value)
        if peak > ZERO:
            worst = max(worst, (peak - value) / peak)
    return worst


async def leader_board(
    db: Engine, portfolio: PortfolioService, now_ms: int, names: Callable[[int], str]
) -> list[LeaderStats]:
    """Active leaders, best 30-day return first; ties go to the smaller drawdown."""
    since = now_ms - WINDOW_MS
    with db.connect() as conn:
        leaders = storage.active_leaders(conn)
        counts = storage.follower_counts(conn)
        history = {leader.user_id: repo.snapshots(conn, leader.user_id, since) for leader in leaders}
    board = []
    for leader in leaders:
        equity_now = (await portfolio.view(UserId(leader.user_id))).equity
        points = [equity for _, equity in history[leader.user_id]]
        if leader.since_ms >= since or not points:
            points.insert(0, leader.start_equity)
        points.append(equity_now)
        board.append(LeaderStats(leader.user_id, names(leader.user_id), counts.get(leader.user_id, 0), equity_now,
                                 period_return(points), max_drawdown(points)))  # fmt: skip
    board.sort(key=lambda stats: (-stats.return_30d, stats.max_drawdown_30d, stats.name))
    return board
