"""discord.py against the Discord fake: login, gateway session, slash commands, buttons, messages, errors."""

from __future__ import annotations

import asyncio
import io
import math
from collections.abc import AsyncIterator

import discord
import nacl.signing
import pytest
from discord import app_commands

from tests.fakes.discord import CALLBACK, CHANNEL_MESSAGE, EDIT_ORIGINAL, FOLLOWUP, GLOBAL_COMMANDS, FakeDiscord

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


class ConfirmView(discord.ui.View):
    @discord.ui.button(label="Confirm", custom_id="confirm", style=discord.ButtonStyle.success)
    async def confirm(self, interaction: discord.Interaction, _button: discord.ui.Button) -> None:  # type: ignore[type-arg]
        await interaction.response.edit_message(content=f"confirmed by {interaction.user.id}", view=None)


class TradingBot(discord.Client):
    def __init__(self, *, message_content: bool = True) -> None:
        intents = discord.Intents.default()
        intents.message_content = message_content
        super().__init__(intents=intents, guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.seen_messages: list[str] = []

        @self.tree.command(name="buy", description="Buy an asset")
        async def buy(interaction: discord.Interaction, symbol: str, quantity: float) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send(f"bought {quantity} {symbol}")
            await interaction.edit_original_response(content=f"filled {quantity} {symbol}")

        @self.tree.command(name="trade", description="Run any tradehub command")
        async def trade(interaction: discord.Interaction, text: str) -> None:
            await interaction.response.send_message(f"confirm {text}?", view=ConfirmView())

    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def on_message(self, message: discord.Message) -> None:
        if message.author.id == self.user.id:  # type: ignore[union-attr]
            return
        self.seen_messages.append(message.content)
        await message.channel.send(f"echo {message.content}", file=discord.File(io.BytesIO(PNG), "pnl.png"))


@pytest.fixture
async def running_bot(discord_on_fake: FakeDiscord) -> AsyncIterator[TradingBot]:
    bot = TradingBot()
    await bot.login(discord_on_fake.token)
    task = asyncio.create_task(bot.connect())
    await asyncio.wait_for(bot.wait_until_ready(), 30)
    yield bot
    await bot.close()
    await asyncio.wait_for(task, 30)


async def test_login_identify_and_command_sync(running_bot: TradingBot, discord_on_fake: FakeDiscord) -> None:
    fake = discord_on_fake
    names = fake.journal.names()
    assert names[:3] == ["GET /users/@me", "GET /oauth2/applications/@me", GLOBAL_COMMANDS]
    assert fake.requests("GET /users/@me")[0].headers["authorization"] == f"Bot {fake.token}"
    identify = fake.requests("gateway.IDENTIFY")[0].body["d"]
    assert identify["token"] == fake.token and identify["intents"] == running_bot.intents.value
    assert fake.requests("gateway.IDENTIFY")[0].query == {"v": "10", "encoding": "json", "compress": "zlib-stream"}
    assert fake.requests("gateway.HEARTBEAT")
    assert math.isfinite(running_bot.latency)  # the HEARTBEAT_ACK was understood
    assert {command["name"] for command in fake.commands[None]} == {"buy", "trade"}
    buy = next(command for command in fake.commands[None] if command["name"] == "buy")
    assert [option["type"] for option in buy["options"]] == [3, 10]
    assert running_bot.user is not None and str(running_bot.user.id) == fake.bot_user["id"]
    assert running_bot.get_guild(int(fake.guild_id)) is not None


async def test_slash_command_defers_then_follows_up(running_bot: TradingBot, discord_on_fake: FakeDiscord) -> None:
    fake = discord_on_fake
    interaction = fake.push_slash_command("buy", {"symbol": "BTC", "quantity": 0.5}, user_id="4242")
    callback = await fake.wait_for(CALLBACK)
    followup = await fake.wait_for(FOLLOWUP)
    edited = await fake.wait_for(EDIT_ORIGINAL)

    assert callback.path.endswith(f"/interactions/{interaction['id']}/{interaction['token']}/callback")
    assert callback.body["type"] == 5 and callback.query["with_response"] == "1"
    assert followup.body["content"] == "bought 0.5 BTC" and followup.query["wait"] == "1"
    assert edited.path.endswith("/messages/@original") and edited.body["content"] == "filled 0.5 BTC"
    state = fake.interaction_state(interaction["id"])
    assert state["original"]["content"] == "filled 0.5 BTC" and len(state["followups"]) == 1


async def test_button_press_updates_the_message(running_bot: TradingBot, discord_on_fake: FakeDiscord) -> None:
    fake = discord_on_fake
    fake.push_slash_command("trade", {"text": "kill"}, user_id="4242")
    callback = await fake.wait_for(CALLBACK)
    message = callback.response["resource"]["message"]
    assert callback.body["type"] == 4 and message["content"] == "confirm kill?"
    assert message["components"][0]["components"][0]["custom_id"] == "confirm"

    press = fake.push_component("confirm", message=message, user_id="4242")
    update = await fake.wait_for(CALLBACK, predicate=lambda entry: press["id"] in entry.path)
    assert update.body["type"] == 7 and update.body["data"]["content"] == "confirmed by 4242"
    assert update.body["data"]["components"] == []


async def test_redelivered_interaction_cannot_be_acknowledged_twice(
    running_bot: TradingBot, discord_on_fake: FakeDiscord
) -> None:
    fake = discord_on_fake
    first = fake.push_slash_command("trade", {"text": "portfolio"})
    await fake.wait_for(CALLBACK)
    fake.push_slash_command("trade", {"text": "portfolio"}, interaction_id=first["id"])
    second = await fake.wait_for(CALLBACK, predicate=lambda entry: entry.status != 200)
    assert second.status == 400 and second.response["code"] == 40060


async def test_message_create_and_channel_reply_with_attachment(
    running_bot: TradingBot, discord_on_fake: FakeDiscord
) -> None:
    fake = discord_on_fake
    fake.push_message("price BTC", author_id="4242")
    sent = await fake.wait_for(CHANNEL_MESSAGE)
    assert running_bot.seen_messages == ["price BTC"]
    assert sent.path.endswith(f"/channels/{fake.channel_id}/messages")
    assert sent.body["content"] == "echo price BTC"
    assert sent.files["files[0]"].data == PNG and sent.files["files[0]"].filename == "pnl.png"
    assert sent.response["attachments"][0]["filename"] == "pnl.png"


async def test_message_content_is_blanked_without_the_intent(discord_on_fake: FakeDiscord) -> None:
    bot = TradingBot(message_content=False)
    await bot.login(discord_on_fake.token)
    task = asyncio.create_task(bot.connect())
    try:
        discord_on_fake.push_message("secret", author_id="4242")
        discord_on_fake.push_message("hello bot", author_id="4242", mention_bot=True)
        await discord_on_fake.wait_for(CHANNEL_MESSAGE, predicate=lambda entry: "hello bot" in entry.body["content"])
    finally:
        await bot.close()
        await asyncio.wait_for(task, 30)
    assert bot.seen_messages == ["", f"<@{discord_on_fake.bot_user['id']}> hello bot"]


async def test_rate_limits_are_retried_and_server_errors_surface(
    running_bot: TradingBot, discord_on_fake: FakeDiscord
) -> None:
    fake = discord_on_fake
    channel = running_bot.get_channel(int(fake.channel_id))
    assert isinstance(channel, discord.TextChannel)
    fake.fail_next(CHANNEL_MESSAGE, status=429, retry_after=0.2)
    await channel.send("after the limit")
    fake.fail_next(CHANNEL_MESSAGE, status=503)
    with pytest.raises(discord.DiscordServerError):
        await channel.send("down")
    statuses = [entry.status for entry in fake.requests(CHANNEL_MESSAGE)]
    assert statuses == [429, 200, 503]
    limited = fake.requests(CHANNEL_MESSAGE)[0]
    assert limited.response == {"message": "You are being rate limited.", "retry_after": 0.2, "global": False}


async def test_bad_token_fails_login(discord_on_fake: FakeDiscord) -> None:
    bot = TradingBot()
    with pytest.raises(discord.LoginFailure):
        await bot.login("not-the-token")
    await bot.close()
    assert discord_on_fake.requests("GET /users/@me")[0].status == 401


def test_interaction_signatures_verify_with_the_application_public_key(fake_discord: FakeDiscord) -> None:
    body = b'{"type":1}'
    headers = fake_discord.sign_interaction(body)
    verify_key = nacl.signing.VerifyKey(bytes.fromhex(fake_discord.public_key))
    message = headers["X-Signature-Timestamp"].encode() + body
    verify_key.verify(message, bytes.fromhex(headers["X-Signature-Ed25519"]))


async def test_late_initial_response_is_refused_as_unknown_interaction(
    running_bot: TradingBot, discord_on_fake: FakeDiscord
) -> None:
    discord_on_fake.interaction_deadline_s = 0.0
    discord_on_fake.push_slash_command("trade", {"text": "portfolio"})
    late = await discord_on_fake.wait_for(CALLBACK)
    assert late.status == 404 and late.response == {"message": "Unknown interaction", "code": 10062}


async def test_reconnect_request_is_followed_by_resume(running_bot: TradingBot, discord_on_fake: FakeDiscord) -> None:
    fake = discord_on_fake
    session_id = running_bot.ws.session_id
    fake.request_reconnect()
    resume = await fake.wait_for("gateway.RESUME")
    fake.push_slash_command("trade", {"text": "after resume"})
    callback = await fake.wait_for(CALLBACK)
    assert resume.body["d"]["session_id"] == session_id and resume.body["d"]["seq"] >= 2
    assert callback.body["data"]["content"] == "confirm after resume?"
    assert len(fake.requests("gateway.IDENTIFY")) == 1


async def test_oversized_messages_are_rejected_with_discords_form_errors(
    running_bot: TradingBot, discord_on_fake: FakeDiscord
) -> None:
    channel = running_bot.get_channel(int(discord_on_fake.channel_id))
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as raised:
        await channel.send("x" * 2001)
    assert raised.value.status == 400 and raised.value.code == 50035
    assert "In content: Must be 2000 or fewer in length." in raised.value.text
