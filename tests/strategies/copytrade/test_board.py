"""The ``leaders`` board: 30-day return and maximum drawdown from the equity snapshots and equity now."""

from __future__ import annotations

from decimal import Decimal

from engine.storage import repository as repo
from hub.principals import Principal
from strategies.copytrade import CopyTradeService
from strategies.copytrade.board import max_drawdown, period_return
from tests.kit.hubdriver import HubDriver

D = Decimal
DAY_MS = 86_400_000


def test_return_and_drawdown_of_an_equity_series() -> None:
    assert period_return([D(100), D(120), D(90), D(110)]) == D("0.1")
    assert max_drawdown([D(100), D(120), D(90), D(110)]) == D("0.25")
    assert max_drawdown([D(100), D(101), D(102)]) == 0
    assert period_return([D(100)]) == 0 and period_return([D(0), D(5)]) == 0


def snapshot(hub: HubDriver, user: Principal, days_ago: int, equity: str) -> None:
    now = hub.container.clock.now_ms()
    with hub.container.db.begin() as conn:
        repo.save_snapshot(conn, {"user_id": user.user_id, "day_ms": now - days_ago * DAY_MS, "equity": D(equity),
                                  "realized_pnl": D(0), "unrealized_pnl": D(0), "taken_ms": now})  # fmt: skip


async def test_leaders_are_ranked_by_30_day_return_then_drawdown(
    hub: HubDriver, copy: CopyTradeService, lea: Principal
) -> None:
    max_ = hub.add_user("max")
    assert (await hub.push("lead on", as_user=max_)).ok
    hub.container.clock.advance(40 * DAY_MS)  # both have led for longer than the window
    snapshot(hub, lea, 35, "50000")  # outside the window: ignored
    snapshot(hub, lea, 20, "10000")
    snapshot(hub, lea, 10, "12000")
    snapshot(hub, lea, 5, "9000")  # then back to 10,000 (all cash) today
    snapshot(hub, max_, 20, "8000")
    snapshot(hub, max_, 10, "9000")
    new = hub.add_user("newbie")
    assert (await hub.push("lead on", as_user=new)).ok  # no history: measured from opting in

    reply = await hub.push("leaders")

    board = reply.data["leaders"]
    assert [row["leader"] for row in board] == ["max", "newbie", "lea"]
    assert (board[0]["return_30d"], board[0]["max_drawdown_30d"]) == ("0.25", "0")
    assert (D(board[2]["return_30d"]), D(board[2]["max_drawdown_30d"])) == (D(0), D("0.25"))
    assert reply.text.splitlines()[1] == "1. max: 30d return +25.00%, max drawdown 0.00%, 0 follower(s)"


async def test_leaders_who_stopped_leading_leave_the_board(
    hub: HubDriver, copy: CopyTradeService, lea: Principal
) -> None:
    assert (await hub.push("lead off", as_user=lea)).ok
    reply = await hub.push("leaders")
    assert reply.data["leaders"] == [] and reply.text.startswith("No leaders yet.")
