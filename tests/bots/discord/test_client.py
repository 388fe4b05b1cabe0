"""The gateway bot: real discord.py against the Discord fake's gateway and REST API, the real hub behind it."""

from __future__ import annotations

import copy
import dataclasses

import httpx
import pytest
from pydantic import SecretStr

from bots.discord.client import gateway_bot
from engine.clock import FakeClock
from hub.app.container import Container
from tests.bots.discord.conftest import OTHER, STRANGER, TRADER, audited, eventually, make_slow, orders
from tests.fakes.discord import CALLBACK, DELETE_ORIGINAL, EDIT_ORIGINAL, FOLLOWUP, GLOBAL_COMMANDS, FakeDiscord

EPHEMERAL = 1 << 6


def _description(message: dict) -> str:
    return message["embeds"][0]["description"]


async def _answer(fake: FakeDiscord, interaction: dict) -> dict:
    entry = await fake.wait_for(CALLBACK, predicate=lambda e: interaction["id"] in e.path)
    assert entry.status in (200, 204), entry.response
    return entry.body


async def _shown(fake: FakeDiscord, interaction: dict) -> dict:
    """The message the user ends up seeing: the immediate answer, or the deferred one once edited."""
    body = await _answer(fake, interaction)
    if body["type"] == 4:
        return body["data"]
    assert body["type"] == 5
    edited = await fake.wait_for(EDIT_ORIGINAL, predicate=lambda e: interaction["token"] in e.path, timeout=30)
    return edited.body


async def test_commands_are_synced_with_typed_options_on_start(bot: FakeDiscord) -> None:
    synced = {command["name"]: command for command in bot.commands[None]}
    assert set(synced) == {"trade", "buy", "sell", "portfolio", "follow", "unfollow", "leaders"}
    buy = {option["name"]: option for option in synced["buy"]["options"]}
    assert [name for name in buy] == ["quantity", "symbol", "price", "venue"]
    assert all(option["type"] == 3 for option in buy.values())  # strings: amounts stay Decimal in the hub
    assert buy["quantity"]["required"] and not buy.get("price", {}).get("required", False)
    follow = [option["name"] for option in synced["follow"]["options"]]
    assert follow == ["leader", "ratio", "fixed", "max"]
    assert len(bot.requests(GLOBAL_COMMANDS)) == 1  # one bulk overwrite
    identify = bot.requests("gateway.IDENTIFY")[0].body["d"]
    assert identify["intents"] & (1 << 15) == 0  # no privileged message-content intent needed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("help", "Commands"),
        ("price BTC", "BTC/USDT"),
        ("buy 0.001 BTC/USDT", "filled"),
        ("buy 0.001 BTC/USDT @ 30000", "open"),
        ("orders", "No orders yet"),
        ("cancel all", "to cancel"),
        ("fills", "fills"),
        ("balance", "USDT (paper)"),
        ("pnl", "P&L"),
        ("risk", "Kill switch"),
        ("alerts", "alerts"),
        ("strategies", "No strategies"),
        ("grid BTC/USDT 40000-50000 5", "Started grid"),
        ("dca $10 BTC/USDT every 1d", "dca"),
        ("stop s123", "s123"),
        ("sentiment BTC", "sentiment"),
        ("leaders", "leaders"),
    ],
)
async def test_each_grammar_family_runs_through_slash_trade(
    bot: FakeDiscord, container: Container, text: str, expected: str
) -> None:
    interaction = bot.push_slash_command("trade", {"text": text}, user_id=TRADER, guild_id=None)
    shown = await _shown(bot, interaction)
    assert expected.lower() in _description(shown).lower()
    assert len(audited(container, text)) == 1


async def test_typed_buy_and_sell_become_grammar_lines_and_trade(bot: FakeDiscord, container: Container) -> None:
    bought = bot.push_slash_command("buy", {"quantity": "0.001", "symbol": "BTC/USDT"}, user_id=TRADER, guild_id=None)
    assert "filled" in _description(await _shown(bot, bought))
    options = {"quantity": "0.001", "symbol": "BTCUSDT", "price": "99999"}
    sold = bot.push_slash_command("sell", options, user_id=TRADER, guild_id=None)
    assert "open" in _description(await _shown(bot, sold))
    assert len(audited(container, "buy 0.001 BTC/USDT")) == 1
    assert len(audited(container, "sell 0.001 BTCUSDT @ 99999")) == 1
    assert orders(container) == 2


async def test_an_option_that_is_not_one_word_is_refused_and_nothing_runs(
    bot: FakeDiscord, container: Container
) -> None:
    options = {"quantity": "0.001 ETH/USDT", "symbol": "BTC/USDT"}
    interaction = bot.push_slash_command("buy", options, user_id=TRADER, guild_id=None)
    body = await _answer(bot, interaction)
    assert body["data"]["flags"] & EPHEMERAL
    assert "must be a single word" in _description(body["data"])
    assert orders(container) == 0


async def test_portfolio_in_a_guild_channel_is_answered_privately(bot: FakeDiscord) -> None:
    in_channel = bot.push_slash_command("portfolio", user_id=TRADER)
    body = await _answer(bot, in_channel)
    assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
    assert "Equity" in _description(body["data"])
    in_dm = bot.push_slash_command("portfolio", user_id=TRADER, guild_id=None)
    assert not (await _answer(bot, in_dm))["data"].get("flags", 0) & EPHEMERAL


async def test_copy_trading_commands_build_the_follow_grammar(bot: FakeDiscord, container: Container) -> None:
    options = {"leader": "bob", "ratio": "0.5", "max": "1000"}
    follow = bot.push_slash_command("follow", options, user_id=TRADER, guild_id=None)
    await _shown(bot, follow)
    unfollow = bot.push_slash_command("unfollow", {"leader": "bob"}, user_id=TRADER, guild_id=None)
    await _shown(bot, unfollow)
    leaders = bot.push_slash_command("leaders", user_id=TRADER, guild_id=None)
    await _shown(bot, leaders)
    assert len(audited(container, "follow bob ratio 0.5 max $1000")) == 1
    assert len(audited(container, "unfollow bob")) == 1
    assert len(audited(container, "leaders")) == 1


async def test_an_unlinked_user_is_told_how_to_link_and_nothing_runs(bot: FakeDiscord, container: Container) -> None:
    trade = bot.push_slash_command("buy", {"quantity": "0.001", "symbol": "BTC/USDT"}, user_id=STRANGER)
    assert "not linked" in _description(await _shown(bot, trade))
    link = bot.push_slash_command("trade", {"text": "link"}, user_id=STRANGER)
    body = await _answer(bot, link)
    assert body["data"]["flags"] & EPHEMERAL  # a link code is a credential: never shown in the channel
    assert "tradehub link YOUR_NAME --code" in _description(body["data"])
    assert orders(container) == 0


async def test_trading_in_a_guild_channel_needs_it_allow_listed(bot: FakeDiscord, container: Container) -> None:
    options = {"quantity": "0.001", "symbol": "BTC/USDT"}
    refused = bot.push_slash_command("buy", options, user_id=TRADER, channel_id=bot.general_channel_id)
    assert "not allowed in this channel" in _description(await _shown(bot, refused))
    assert orders(container) == 0
    allowed = bot.push_slash_command("buy", options, user_id=TRADER, channel_id=bot.channel_id)
    assert "filled" in _description(await _shown(bot, allowed))
    assert orders(container) == 1


async def _confirmation(fake: FakeDiscord) -> tuple[dict, str]:
    """alice asks for a large order in #trading; the prompt message and its confirmation id."""
    asked = fake.push_slash_command("buy", {"quantity": "0.05", "symbol": "BTC/USDT"}, user_id=TRADER)
    entry = await fake.wait_for(CALLBACK, predicate=lambda e: asked["id"] in e.path)
    message = entry.response["resource"]["message"]
    buttons = message["components"][0]["components"]
    confirm_id = buttons[0]["custom_id"]
    assert [button["label"] for button in buttons] == ["Confirm", "Cancel"]
    assert buttons[1]["custom_id"] == confirm_id.replace(":confirm:", ":cancel:")
    return message, confirm_id


async def test_confirm_button_runs_once_for_the_same_user_only(bot: FakeDiscord, container: Container) -> None:
    message, confirm_id = await _confirmation(bot)
    other_device = copy.deepcopy(message)  # a second client of alice's still shows the buttons
    assert confirm_id.startswith("tradehub:confirm:") and orders(container) == 0

    foreign = bot.push_component(confirm_id, message=message, user_id=OTHER)
    refused = await _answer(bot, foreign)
    assert refused["type"] == 4 and refused["data"]["flags"] & EPHEMERAL  # told to bob only; prompt untouched
    assert orders(container) == 0

    pressed = bot.push_component(confirm_id, message=message, user_id=TRADER)
    update = await _answer(bot, pressed)
    assert update["type"] == 7 and "filled" in _description(update["data"])
    assert update["data"]["components"] == []
    assert orders(container) == 1

    again = bot.push_component(confirm_id, message=other_device, user_id=TRADER)
    stale = await _answer(bot, again)
    assert stale["type"] == 4 and "already" in _description(stale["data"])
    assert orders(container) == 1


async def test_cancel_button_discards_the_order(bot: FakeDiscord, container: Container) -> None:
    message, confirm_id = await _confirmation(bot)
    other_device = copy.deepcopy(message)
    pressed = bot.push_component(confirm_id.replace(":confirm:", ":cancel:"), message=message, user_id=TRADER)
    update = await _answer(bot, pressed)
    assert update["type"] == 7 and update["data"]["components"] == []
    late = bot.push_component(confirm_id, message=other_device, user_id=TRADER)
    refused = await _answer(bot, late)
    assert refused["type"] == 4 and refused["data"]["flags"] & EPHEMERAL
    assert orders(container) == 0


async def test_an_expired_confirmation_is_refused(bot: FakeDiscord, container: Container, clock: FakeClock) -> None:
    message, confirm_id = await _confirmation(bot)
    clock.advance(6 * 60 * 1000)
    pressed = bot.push_component(confirm_id, message=message, user_id=TRADER)
    refused = await _answer(bot, pressed)
    assert refused["type"] == 4 and "expired" in _description(refused["data"])
    assert orders(container) == 0


async def test_buttons_still_work_after_the_bot_restarts(
    container: Container, alice: object, discord_on_fake: FakeDiscord
) -> None:
    fake = discord_on_fake
    async with gateway_bot(container):
        await fake.wait_until_identified(timeout=30)
        await fake.wait_for(GLOBAL_COMMANDS, timeout=30)
        message, confirm_id = await _confirmation(fake)
    fake.journal.clear()
    async with gateway_bot(container):  # a new process: no view of the old one is in memory
        await fake.wait_until_identified(timeout=30)
        pressed = fake.push_component(confirm_id, message=message, user_id=TRADER)
        update = await _answer(fake, pressed)
    assert update["type"] == 7 and "filled" in _description(update["data"])
    assert orders(container) == 1


async def test_a_redelivered_interaction_runs_once(bot: FakeDiscord, container: Container) -> None:
    options = {"quantity": "0.001", "symbol": "BTC/USDT"}
    first = bot.push_slash_command("buy", options, user_id=TRADER, guild_id=None)
    await _answer(bot, first)
    bot.push_slash_command("buy", options, user_id=TRADER, guild_id=None, interaction_id=first["id"])
    second = await bot.wait_for(CALLBACK, predicate=lambda e: e.status == 400)
    assert second.response["code"] == 40060  # Discord: already acknowledged; we log it and move on
    await eventually(lambda: len(audited(container, "buy 0.001 BTC/USDT")) == 2)
    runs = audited(container, "buy 0.001 BTC/USDT")
    assert [row.replayed for row in runs] == [False, True]
    assert {row.idempotency_key for row in runs} == {f"discord:{first['id']}"}
    assert orders(container) == 1


async def test_a_slow_command_is_deferred_then_followed_up(
    bot: FakeDiscord, container: Container, slow_price: None
) -> None:
    interaction = bot.push_slash_command("trade", {"text": "price BTC"}, user_id=TRADER, guild_id=None)
    callback = await bot.wait_for(CALLBACK, predicate=lambda e: interaction["id"] in e.path)
    assert callback.body["type"] == 5  # "tradehub is thinking...", well inside the 3 s deadline
    edited = await bot.wait_for(EDIT_ORIGINAL, timeout=30)
    assert edited.path.endswith("/messages/@original") and "BTC/USDT" in _description(edited.body)
    assert "BTC/USDT" in _description(bot.interaction_state(interaction["id"])["original"])


async def test_a_slow_private_answer_in_a_channel_replaces_the_public_placeholder(
    bot: FakeDiscord, container: Container
) -> None:
    make_slow(container, "portfolio")
    interaction = bot.push_slash_command("portfolio", user_id=TRADER)
    followup = await bot.wait_for(FOLLOWUP, timeout=30)
    assert followup.body["flags"] & EPHEMERAL and "Equity" in _description(followup.body)
    deleted = await bot.wait_for(DELETE_ORIGINAL, timeout=30)
    assert interaction["token"] in deleted.path


async def test_a_chart_is_sent_as_an_attachment(bot: FakeDiscord) -> None:
    interaction = bot.push_slash_command("trade", {"text": "sentiment BTC"}, user_id=TRADER, guild_id=None)
    callback = await bot.wait_for(CALLBACK, predicate=lambda e: interaction["id"] in e.path)
    carrier = callback if callback.body["type"] == 4 else await bot.wait_for(EDIT_ORIGINAL, timeout=30)
    upload = carrier.files["files[0]"]
    assert upload.filename == "chart.png" and upload.data.startswith(b"\x89PNG")
    embed = (carrier.body["data"] if callback.body["type"] == 4 else carrier.body)["embeds"][0]
    assert embed["image"]["url"] == "attachment://chart.png"


async def test_a_rate_limited_response_is_retried_without_running_twice(bot: FakeDiscord, container: Container) -> None:
    bot.fail_next(CALLBACK, status=429, retry_after=0.3)
    interaction = bot.push_slash_command("buy", {"quantity": "0.001", "symbol": "BTC/USDT"}, user_id=TRADER)
    await eventually(lambda: [e.status for e in bot.requests(CALLBACK)] == [429, 200])
    assert interaction["id"] in bot.requests(CALLBACK)[1].path
    assert orders(container) == 1 and len(audited(container, "buy 0.001 BTC/USDT")) == 1


async def test_a_server_error_on_the_follow_up_is_retried_without_running_twice(
    bot: FakeDiscord, container: Container, slow_price: None
) -> None:
    bot.fail_next(EDIT_ORIGINAL, status=502)
    bot.push_slash_command("trade", {"text": "price BTC"}, user_id=TRADER, guild_id=None)
    await eventually(lambda: [e.status for e in bot.requests(EDIT_ORIGINAL)] == [502, 200], timeout=30)
    assert "BTC/USDT" in _description(bot.requests(EDIT_ORIGINAL)[1].body)
    assert len(audited(container, "price BTC")) == 1


def _post_alert(fake: FakeDiscord, custom_id: str) -> dict:
    """A message with a generic "run this command" button, posted over REST as the risk monitor does."""
    components = [{"type": 1, "components": [{"type": 2, "style": 1, "label": "ETH price", "custom_id": custom_id}]}]
    response = httpx.post(
        f"{fake.api_base}/channels/{fake.channel_id}/messages",
        json={"content": "ETH moved 5% in an hour", "components": components},
        headers={"Authorization": f"Bot {fake.token}"},
    )
    response.raise_for_status()
    return response.json()


async def test_a_run_button_runs_its_command_for_the_presser(bot: FakeDiscord, container: Container) -> None:
    alert = _post_alert(bot, "tradehub:run:price ETH")
    pressed = bot.push_component("tradehub:run:price ETH", message=alert, user_id=TRADER)
    body = await _answer(bot, pressed)
    assert body["type"] == 4 and "ETH/USDT" in _description(body["data"])
    stranger = bot.push_component("tradehub:run:price ETH", message=alert, user_id=STRANGER)
    assert "not linked" in _description((await _answer(bot, stranger))["data"])
    assert len(audited(container, "price ETH")) == 1


async def test_the_server_runs_the_gateway_bot_when_a_token_is_set(
    discord_on_fake: FakeDiscord, alice: object, api: object
) -> None:
    fake = discord_on_fake  # ``api`` is the real app under uvicorn with its background services started
    await fake.wait_for(GLOBAL_COMMANDS, timeout=30)
    await fake.wait_until_identified(timeout=30)
    interaction = fake.push_slash_command("trade", {"text": "price BTC"}, user_id=TRADER, guild_id=None)
    assert "BTC/USDT" in _description(await _shown(fake, interaction))


async def test_a_wrong_token_is_reported_and_the_server_keeps_running(
    container: Container, discord_on_fake: FakeDiscord
) -> None:
    wrong = container.settings.model_copy(update={"discord_token": SecretStr("not-the-bot-token")})
    async with gateway_bot(dataclasses.replace(container, settings=wrong)):
        refused = await discord_on_fake.wait_for("GET /users/@me")
    assert refused.status == 401
    assert discord_on_fake.requests("gateway.IDENTIFY") == [] and discord_on_fake.requests(GLOBAL_COMMANDS) == []
