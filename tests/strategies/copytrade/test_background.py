"""The server's background service: at start it finishes the fan-outs a crash left behind."""

from __future__ import annotations

import time
from decimal import Decimal

from engine.domain import Side
from engine.orders.intent import OrderIntent
from engine.orders.oms import OrderManager
from hub.app.api import create_app
from hub.events import EventBus
from hub.principals import Principal
from strategies.copytrade import CopyTradeService
from tests.conftest import LiveServer
from tests.kit.hubdriver import HubDriver
from tests.strategies.copytrade.helpers import mirrors, orders_of


async def test_serve_copies_a_fill_that_was_never_fanned_out(
    hub: HubDriver, copy: CopyTradeService, lea: Principal
) -> None:
    bob = hub.add_user("bob")
    assert (await hub.push("follow lea ratio 0.5", as_user=bob)).ok
    container = hub.container
    # the previous process committed the fill and died before its fan-out ran
    died = OrderManager(container.db, container.services.venues, limits=container.services.oms.limits,
                        clock=container.clock, publisher=EventBus())  # fmt: skip
    await died.place(OrderIntent(lea.user_id, "BTC/USDT", Side.BUY, "before-crash", quantity=Decimal("0.01")))
    assert mirrors(container, follower_id=bob.user_id) == []

    with LiveServer(create_app(container)):
        deadline = time.monotonic() + 60  # the server starts and sweeps on a loaded 2-core CI box
        while not mirrors(container, follower_id=bob.user_id) and time.monotonic() < deadline:
            time.sleep(0.05)

    (copied,) = mirrors(container, follower_id=bob.user_id)
    assert copied.status == "mirrored"
    assert [order.quantity for order in orders_of(container, bob.user_id)] == [Decimal("0.005")]
