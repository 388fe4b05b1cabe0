"""Leader fills posted to the leader's Discord channel webhook as an embed (Discord's API is a local
receiver on 127.0.0.1 here, reached over real HTTP)."""

from __future__ import annotations

import json

from hub.principals import Principal
from strategies.copytrade import CopyTradeService
from strategies.copytrade.storage import sources_t
from tests.kit.hubdriver import HubDriver
from tests.webhooks.receiver import Receiver

CHANNEL = "https://discord.com/api/webhooks/112233445566/t0ken-Secret_part"


async def test_a_leader_fill_is_posted_to_the_leaders_channel(
    hub: HubDriver, copy: CopyTradeService, lea: Principal, receiver: Receiver
) -> None:
    assert (await hub.push(f"lead on discord {CHANNEL}", as_user=lea)).ok
    bob = hub.add_user("bob")
    assert (await hub.push("follow lea ratio 0.5", as_user=bob)).ok
    poor = hub.container.services.users.add_user("poor")
    assert (await hub.push("follow lea", as_user=poor)).ok

    assert (await hub.push("buy 0.01 BTC/USDT", as_user=lea)).ok
    await copy.idle()

    (post,) = receiver.received("/ok/discord/")
    assert post.path == "/ok/discord/api/v10/webhooks/112233445566/t0ken-Secret_part"
    body = json.loads(post.body)
    (embed,) = body["embeds"]
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert embed["title"] == "lea buy 0.01 BTC/USDT" and embed["color"] == 0x2ECC71
    assert fields["copied_by"] == "1" and fields["skipped"] == "1" and fields["symbol"] == "BTC/USDT"
    assert body["allowed_mentions"] == {"parse": []}
    with hub.container.db.connect() as conn:
        assert conn.execute(sources_t.select()).one().posted == "posted"


async def test_no_channel_no_post_and_a_failing_channel_does_not_undo_the_copies(
    hub: HubDriver, copy: CopyTradeService, lea: Principal, receiver: Receiver
) -> None:
    bob = hub.add_user("bob")
    assert (await hub.push("follow lea ratio 0.5", as_user=bob)).ok
    assert (await hub.push("buy 0.01 BTC/USDT", as_user=lea)).ok
    await copy.idle()
    assert receiver.received() == []

    copy.poster.api_url = f"{receiver.url}/gone"  # the channel was deleted: Discord answers 4xx
    assert (await hub.push(f"lead on discord {CHANNEL}", as_user=lea)).ok
    assert (await hub.push("buy 0.01 BTC/USDT", as_user=lea)).ok
    await copy.idle()

    assert len(receiver.received("/gone/")) == 1
    assert len(hub.container.services.oms.orders(bob.user_id)) == 2
    with hub.container.db.connect() as conn:
        outcomes = sorted(str(row.posted) for row in conn.execute(sources_t.select()))
    assert outcomes == ["None", "failed:410"]
