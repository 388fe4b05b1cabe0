"""The copy-trading commands over REST (``POST /api/v1/commands``) against the real server."""

from __future__ import annotations

import time

import httpx

from hub.principals import Principal
from strategies.copytrade import CopyTradeService
from tests.conftest import LiveServer
from tests.kit.hubdriver import HubDriver
from tests.strategies.copytrade.helpers import mirrors


def command(api: LiveServer, key: str, text: str) -> httpx.Response:
    return httpx.post(f"{api.url}/api/v1/commands", json={"text": text},
                      headers={"Authorization": f"Bearer {key}"}, timeout=30)  # fmt: skip


async def test_follow_leaders_and_unfollow_over_rest(
    api: LiveServer, hub: HubDriver, copy: CopyTradeService, lea: Principal
) -> None:
    users = hub.container.services.users
    alice, leader = users.create_key("alice"), users.create_key("lea")

    followed = command(api, alice, "follow lea fixed $50 max $500")
    assert followed.status_code == 200 and followed.json()["data"]["follow"]["fixed"] == "50"

    traded = command(api, leader, "buy 0.01 BTC/USDT")
    assert traded.status_code == 200, traded.text
    deadline = time.monotonic() + 60  # the server's loop copies the fill in the background
    while not mirrors(hub.container, follower_id=hub.user.user_id) and time.monotonic() < deadline:
        time.sleep(0.05)
    (copied,) = mirrors(hub.container, follower_id=hub.user.user_id)
    assert copied.status == "mirrored"

    board = command(api, alice, "leaders").json()
    assert board["data"]["leaders"][0]["leader"] == "lea" and board["data"]["recent"][0]["status"] == "mirrored"
    assert f"(order {copied.order_id})" in board["text"]
    fills = httpx.get(f"{api.url}/api/v1/fills", headers={"Authorization": f"Bearer {alice}"}, timeout=30).json()
    assert fills["fills"][0]["order_id"] == copied.order_id

    bad = command(api, alice, "follow ghost")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "unknown_leader"
    assert command(api, alice, "unfollow lea").status_code == 200
    assert command(api, alice, "leaders").json()["data"]["following"] == []
