"""The chat gateway's decisions, the same for every platform: identity, linking, channels, buttons."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bots.gateway import ChatEvent, gateway_for
from engine.clock import FakeClock
from engine.storage.models import OrderRow
from hub.app.container import Container
from hub.models import AuditRow
from hub.principals import Role

pytestmark = pytest.mark.asyncio


def _event(text: str, event_id: str, *, user: str = "111", channel: str = "111", private: bool = True) -> ChatEvent:
    return ChatEvent("telegram", user, channel, private, text, event_id)


def _orders(container: Container) -> int:
    with container.db.connect() as conn:
        return conn.execute(select(func.count()).select_from(OrderRow.__table__)).scalar_one()


@pytest.fixture
def alice(container: Container):
    principal = container.add_user("alice", role=Role.TRADER, team="desk")
    container.services.users.link("alice", "telegram", "111")
    return principal


async def test_a_stranger_is_told_how_to_link_and_nothing_runs(container: Container) -> None:
    answer = await gateway_for(container).handle(_event("buy 0.01 BTC/USDT", "1", user="999"))
    assert not answer.linked and not answer.reply.ok
    assert "not linked" in answer.reply.text and "`link`" in answer.reply.text
    assert _orders(container) == 0


async def test_link_code_flow_links_the_chat_account_once(container: Container) -> None:
    gateway = gateway_for(container)
    bob = container.add_user("bob")
    answer = await gateway.handle(_event("link", "5", user="222", channel="-100", private=False))
    assert answer.reply.ok and answer.private  # the code never goes to a group channel
    code = answer.reply.data["code"]
    assert (await gateway.handle(_event("link", "5", user="222"))).reply.data["code"] == code  # platform retry
    linked = await container.hub.handle(bob, f"link {code.lower()}", frontend="api", idempotency_key="k1")
    assert linked.ok, linked.text
    assert container.services.users.by_chat_identity("telegram", "222") == bob
    again = await container.hub.handle(bob, f"link {code}", frontend="api", idempotency_key="k2")
    assert not again.ok and "already used" in again.text
    hello = await gateway.handle(_event("portfolio", "6", user="222"))
    assert hello.linked and hello.reply.ok


async def test_an_expired_or_made_up_code_links_nothing(container: Container, clock: FakeClock) -> None:
    gateway = gateway_for(container)
    bob = container.add_user("bob")
    code = (await gateway.handle(_event("link", "7", user="333"))).reply.data["code"]
    clock.advance(11 * 60 * 1000)
    expired = await container.hub.handle(bob, f"link {code}", frontend="api", idempotency_key="k1")
    assert not expired.ok and "expired" in expired.text
    bogus = await container.hub.handle(bob, "link ZZZZ-ZZZZ", frontend="api", idempotency_key="k2")
    assert not bogus.ok and bogus.error_code == "not_found"
    malformed = await container.hub.handle(bob, "link 12", frontend="api", idempotency_key="k3")
    assert not malformed.ok and malformed.error_code == "bad_input"
    assert container.services.users.by_chat_identity("telegram", "333") is None


async def test_trading_in_a_group_needs_an_allow_listed_channel(container: Container, alice) -> None:
    gateway = gateway_for(container)
    refused = await gateway.handle(_event("buy 0.001 BTC/USDT", "10", channel="-500", private=False))
    assert not refused.reply.ok and refused.reply.error_code == "channel_not_allowed"
    assert "tradehub channel allow telegram:-500" in refused.reply.text
    assert _orders(container) == 0
    container.services.channels.allow("telegram", "-500", team="desk")
    placed = await gateway.handle(_event("buy 0.001 BTC/USDT", "11", channel="-500", private=False))
    assert placed.reply.ok, placed.reply.text
    assert _orders(container) == 1
    direct = await gateway.handle(_event("buy 0.001 BTC/USDT", "12"))
    assert direct.reply.ok and _orders(container) == 2


async def test_balances_go_private_outside_the_team_channel(container: Container, alice) -> None:
    gateway = gateway_for(container)
    container.services.channels.allow("telegram", "-600", team="other-team")
    container.services.channels.allow("telegram", "-700", team="desk")
    elsewhere = await gateway.handle(_event("balance", "20", channel="-600", private=False))
    unknown = await gateway.handle(_event("balance", "21", channel="-800", private=False))
    own = await gateway.handle(_event("balance", "22", channel="-700", private=False))
    price = await gateway.handle(_event("price BTC", "23", channel="-800", private=False))
    assert elsewhere.private and unknown.private and not own.private and not price.private
    assert own.reply.ok and "USDT" in own.reply.text


async def test_a_resent_event_runs_once(container: Container, alice) -> None:
    gateway = gateway_for(container)
    first = await gateway.handle(_event("buy 0.001 BTC/USDT", "30"))
    second = await gateway.handle(_event("buy 0.001 BTC/USDT", "30"))
    assert first.reply.ok and second.reply.text == first.reply.text
    assert _orders(container) == 1
    with container.db.connect() as conn:
        rows = conn.execute(select(AuditRow.__table__).where(AuditRow.__table__.c.frontend == "telegram")).all()
    assert [row.replayed for row in rows] == [False, True]


async def test_confirm_button_runs_once_for_its_owner_only(container: Container, alice) -> None:
    gateway = gateway_for(container)
    container.services.users.link(container.add_user("mallory").name, "telegram", "666")
    asked = await gateway.handle(_event("buy 0.1 BTC/USDT", "40"))  # far above the $1,000 confirmation line
    confirmation = asked.reply.confirmation
    assert confirmation is not None and _orders(container) == 0
    foreign = await gateway.press(_event("", "41", user="666"), confirmation.id, approve=True)
    assert not foreign.reply.ok and _orders(container) == 0
    pressed = await gateway.press(_event("", "42"), confirmation.id, approve=True)
    assert pressed.reply.ok, pressed.reply.text
    assert _orders(container) == 1
    repeat = await gateway.press(_event("", "42"), confirmation.id, approve=True)  # the same press resent
    assert repeat.reply.text == pressed.reply.text
    stale = await gateway.press(_event("", "43"), confirmation.id, approve=True)  # a second press
    assert not stale.reply.ok and "already used" in stale.reply.text
    assert _orders(container) == 1


async def test_cancel_button_discards_the_pending_command(container: Container, alice) -> None:
    gateway = gateway_for(container)
    asked = await gateway.handle(_event("buy 0.1 BTC/USDT", "50"))
    assert asked.reply.confirmation is not None
    declined = await gateway.press(_event("", "51"), asked.reply.confirmation.id, approve=False)
    assert declined.reply.ok and "will not run" in declined.reply.text
    late = await gateway.press(_event("", "52"), asked.reply.confirmation.id, approve=True)
    assert not late.reply.ok and "declined" in late.reply.text
    assert _orders(container) == 0


async def test_link_from_a_linked_chat_account_says_who_it_is(container: Container, alice) -> None:
    answer = await gateway_for(container).handle(_event("link", "60"))
    assert answer.reply.ok and "alice" in answer.reply.text
    assert _orders(container) == 0
