"""``lead``, ``follow``, ``unfollow`` and ``leaders`` through the hub, and bad input that changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hub.principals import Principal, Role
from strategies.copytrade import CopyTradeService
from strategies.copytrade.storage import follows_t, leaders_t
from tests.kit.hubdriver import HubDriver


def table_rows(hub: HubDriver, table: object) -> list[tuple]:
    from sqlalchemy import select

    with hub.container.db.connect() as conn:
        return [tuple(row) for row in conn.execute(select(table))]  # type: ignore[arg-type]


async def test_follow_with_a_ratio_and_a_cap_then_unfollow(hub: HubDriver, lea: Principal) -> None:
    reply = await hub.push("follow lea ratio 0.5 max $1000")
    assert reply.ok, reply.text
    assert reply.text == "Following lea: ratio 0.5 of each trade, at most $1000 allocated. `unfollow lea` stops it."
    assert reply.data["follow"] == {"leader": "lea", "ratio": "0.5", "fixed": None, "max_allocation": "1000",
                                    "allocated": "0"}  # fmt: skip

    board = await hub.push("leaders")
    assert board.data["leaders"][0]["leader"] == "lea" and board.data["leaders"][0]["followers"] == 1
    assert "You follow: lea" in board.text

    gone = await hub.push("/unfollow @lea")
    assert gone.ok and gone.text == "Stopped following lea."
    assert table_rows(hub, follows_t) == []
    assert (await hub.push("leaders")).data["leaders"][0]["followers"] == 0


async def test_following_again_changes_the_rule(hub: HubDriver, lea: Principal) -> None:
    await hub.push("follow lea ratio 0.5")
    reply = await hub.push("follow lea fixed $100")
    assert reply.ok and "$100 per trade" in reply.text
    ((_, _, ratio, fixed, cap, allocated, _),) = table_rows(hub, follows_t)
    assert (ratio, fixed, cap, allocated) == (None, Decimal("100"), None, Decimal("0"))


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("follow nobody ratio 0.5", "unknown_leader", "no leader named nobody"),
        ("follow alice", "follow_self", "you cannot follow yourself"),
        ("follow lea ratio -0.5", "bad_command", "must be positive"),
        ("follow lea ratio 0", "bad_command", "must be greater than zero"),
        ("follow lea ratio 0.5 fixed $10", "bad_command", "either `ratio` or `fixed`"),
        ("follow lea max $-5", "bad_command", "must be positive"),
        ("unfollow lea", "not_following", "you do not follow lea"),
    ],
)
async def test_bad_follow_input_is_refused_and_changes_nothing(
    hub: HubDriver, lea: Principal, text: str, code: str, message: str
) -> None:
    await hub.push("lead on")  # alice leads too, so "follow alice" is refused as following yourself
    before = table_rows(hub, follows_t)
    reply = await hub.push(text)
    assert not reply.ok and reply.error_code == code and message in reply.text
    assert table_rows(hub, follows_t) == before == []


async def test_a_user_who_is_not_a_leader_cannot_be_followed(hub: HubDriver, copy: CopyTradeService) -> None:
    hub.add_user("bob")
    reply = await hub.push("follow bob")
    assert not reply.ok and reply.error_code == "unknown_leader" and "bob is not a leader" in reply.text
    bob = hub.container.services.users.get("bob")
    await hub.push("lead on", as_user=bob)
    await hub.push("lead off", as_user=bob)
    assert not (await hub.push("follow bob")).ok
    assert table_rows(hub, follows_t) == []


async def test_lead_on_with_a_discord_channel_never_echoes_its_token(hub: HubDriver, copy: CopyTradeService) -> None:
    url = "https://discord.com/api/webhooks/123456789/s3cr3t-T0KEN_value"
    reply = await hub.push(f"lead on discord {url}")
    assert reply.ok and "s3cr3t" not in reply.text and "s3cr3t" not in str(reply.data)
    assert "…/webhooks/123456789/***" in reply.text
    ((user_id, active, sealed, *_),) = table_rows(hub, leaders_t)
    assert user_id == hub.user.user_id and active and "s3cr3t" not in sealed  # stored sealed


async def test_lead_on_with_another_url_is_refused(hub: HubDriver, copy: CopyTradeService) -> None:
    reply = await hub.push("lead on discord https://example.com/api/webhooks/1/abc")
    assert not reply.ok and reply.error_code == "bad_channel"
    assert table_rows(hub, leaders_t) == []


async def test_a_viewer_may_list_leaders_but_not_follow(hub: HubDriver, lea: Principal) -> None:
    viewer = hub.add_user("vic", role=Role.VIEWER)
    assert (await hub.push("leaders", as_user=viewer)).ok
    refused = await hub.push("follow lea", as_user=viewer)
    assert not refused.ok and refused.error_code == "forbidden"
    assert not (await hub.push("lead on", as_user=viewer)).ok
