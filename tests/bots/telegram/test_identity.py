"""Who may do what where: unlinked users, the link flow, group channels and private answers."""

from __future__ import annotations

import re

from hub.app.container import Container
from hub.principals import Role
from tests.bots.telegram.conftest import ALICE, GROUP, STRANGER, Chat, link, order_count
from tests.fakes.telegram import FakeTelegram


async def test_unlinked_user_is_told_how_to_link_and_nothing_runs(bot: Chat, container: Container) -> None:
    reply = await bot.say("/buy 0.01 BTC/USDT", user_id=STRANGER)

    assert "not linked" in reply["text"] and "<code>link</code>" in reply["text"]
    assert order_count(container) == 0


async def test_link_gives_a_code_that_links_the_account_once_redeemed(bot: Chat, container: Container) -> None:
    owner = container.add_user("carol", role=Role.TRADER)
    reply = await bot.say("/link", user_id=STRANGER)
    code = re.search(r"code is ([A-Z0-9]{4}-[A-Z0-9]{4})", reply["text"])
    assert code is not None and f"<code>tradehub link YOUR_NAME --code {code[1]}</code>" in reply["text"]

    container.services.links.redeem(owner, code[1])
    bought = await bot.say("buy 0.01 BTC/USDT", user_id=STRANGER)

    assert "filled" in bought["text"]
    assert [o.user_id for o in container.services.oms.orders(owner.user_id)] == [owner.user_id]


async def test_link_asked_in_a_group_sends_the_code_privately(bot: Chat, fake_telegram: FakeTelegram) -> None:
    notice = await bot.say("/link", user_id=STRANGER, chat_id=GROUP, first_name="Sam")
    private = await bot.next_send(STRANGER, since=0)

    assert "link code" in private.body["text"]
    assert notice["text"] == "📬 Sam, I sent you the answer privately."
    assert not any("code is" in r.body.get("text", "") for r in bot.sent_to(GROUP))


async def test_trading_is_refused_in_a_group_until_the_channel_is_allow_listed(bot: Chat, container: Container) -> None:
    alice = link(container, "alice", ALICE)
    refused = await bot.say("/buy 0.01 BTC/USDT", chat_id=GROUP)
    assert "not allowed in this channel" in refused["text"] and order_count(container) == 0

    container.services.channels.allow("telegram", str(GROUP))
    allowed = await bot.say("/buy@tradehub_test_bot 0.01 BTC/USDT", chat_id=GROUP)

    assert "filled" in allowed["text"] and len(container.services.oms.orders(alice.user_id)) == 1


async def test_balance_asked_in_a_group_is_answered_privately(bot: Chat, container: Container) -> None:
    link(container, "alice", ALICE)
    notice = await bot.say("/balance", chat_id=GROUP, first_name="Alice")
    private = await bot.next_send(ALICE, since=0)

    assert private.body["text"].startswith("<b>Equity 10,000.00 USDT</b>")
    assert notice["text"] == "📬 Alice, I sent you the answer privately."
    assert all("Equity" not in r.body.get("text", "") for r in bot.sent_to(GROUP))


async def test_private_answer_to_a_user_who_never_started_the_bot(
    bot: Chat, container: Container, fake_telegram: FakeTelegram
) -> None:
    link(container, "alice", ALICE)
    fake_telegram.fail_next("sendMessage", status=403, description="Forbidden: bot can't initiate conversation")
    notice = await bot.say("/portfolio", chat_id=GROUP, first_name="Alice")

    assert "open a chat with @tradehub_test_bot" in notice["text"] and "Equity" not in notice["text"]
    assert [r.status for r in fake_telegram.requests("sendMessage")] == [403, 200]
