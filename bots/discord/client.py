"""The gateway bot: discord.py client, command tree sync on start, persistent confirmation buttons.

:func:`gateway_bot` is the background service ``tradehub serve`` runs (``extensions.BACKGROUND``); it
does nothing unless ``TRADEHUB_DISCORD_TOKEN`` is set. REST calls go to ``TRADEHUB_DISCORD_API_URL``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

import discord
import structlog

from bots.discord.adapter import DiscordAdapter, message_for
from bots.discord.buttons import ConfirmationButton, Press, RunButton
from bots.discord.commands import command_text
from bots.discord.config import DiscordConfig
from bots.discord.render import Message
from bots.discord.tree import build_tree
from bots.gateway import ChatEvent, gateway_for
from engine.errors import UserInputError
from hub.reply import Reply

if TYPE_CHECKING:
    from hub.app.container import Container

log = structlog.get_logger(__name__)
Interaction = discord.Interaction[Any]


class InteractionResponder:
    """Answers interactions through discord.py: at once within the ack budget, else deferred."""

    def __init__(self, adapter: DiscordAdapter) -> None:
        self.adapter = adapter

    async def command(self, interaction: Interaction, name: str, options: Mapping[str, str | None]) -> None:
        try:
            text = command_text(name, options)
        except UserInputError as error:
            await _guarded(interaction.response.send_message(**Message(Reply.from_error(error), True).send_kwargs()))
            return
        await self.run(interaction, text)

    async def run(self, interaction: Interaction, text: str) -> None:
        """Run one grammar line (a slash command, or a ``tradehub:run`` button) and answer with its reply."""
        task = self.adapter.run(self._event(interaction, text))
        answer = await self.adapter.within_budget(task)
        if answer is not None:
            await _guarded(interaction.response.send_message(**message_for(answer).send_kwargs()))
            return
        if not await _guarded(interaction.response.defer(thinking=True)):
            return
        message = message_for(await self.adapter.settle(task))
        if message.ephemeral and interaction.guild_id is not None:  # the deferred "thinking" message is public
            await _guarded(interaction.followup.send(**message.send_kwargs()))
            await _guarded(interaction.delete_original_response())
        else:
            await _guarded(interaction.edit_original_response(**message.edit_kwargs()))

    async def press(self, interaction: Interaction, press: Press) -> None:
        """Confirm / Cancel: the result replaces the prompt; a refused press is told only to the presser."""
        text = f"{'confirm' if press.approve else 'cancel'} {press.confirmation_id}"
        task = self.adapter.press(self._event(interaction, text), press)
        answer = await self.adapter.within_budget(task)
        if answer is not None:
            if answer.reply.ok:
                await _guarded(interaction.response.edit_message(**message_for(answer).edit_kwargs()))
            else:
                refused = Message(answer.reply, ephemeral=True)
                await _guarded(interaction.response.send_message(**refused.send_kwargs()))
            return
        if not await _guarded(interaction.response.defer()):  # a deferred update of the prompt message
            return
        answer = await self.adapter.settle(task)
        if answer.reply.ok:
            await _guarded(interaction.edit_original_response(**message_for(answer).edit_kwargs()))
        else:
            await _guarded(interaction.followup.send(**Message(answer.reply, ephemeral=True).send_kwargs()))

    def _event(self, interaction: Interaction, text: str) -> ChatEvent:
        return self.adapter.event(
            interaction_id=str(interaction.id),
            user_id=str(interaction.user.id),
            channel_id=None if interaction.channel_id is None else str(interaction.channel_id),
            guild_id=None if interaction.guild_id is None else str(interaction.guild_id),
            text=text,
            name=interaction.user.display_name,
        )


async def _guarded(call: Any) -> bool:
    """Run one Discord call; a refusal (expired or already acknowledged interaction) is logged, not raised."""
    try:
        await call
    except discord.HTTPException as error:
        log.warning("discord refused a response", status=error.status, code=error.code, reason=error.text[:200])
        return False
    return True


class TradehubClient(discord.Client):
    def __init__(self, adapter: DiscordAdapter) -> None:
        # Application commands and components need no privileged intent; guilds keeps channels cached.
        super().__init__(intents=discord.Intents(guilds=True))
        self.responder = InteractionResponder(adapter)
        self.tree = build_tree(self)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(ConfirmationButton, RunButton)  # presses route by custom id, even after a restart
        synced = await self.tree.sync()
        log.info("discord commands synced", commands=[command.name for command in synced])


@contextlib.asynccontextmanager
async def gateway_bot(container: Container) -> AsyncIterator[None]:
    """Run the gateway bot for the app's lifetime when ``TRADEHUB_DISCORD_TOKEN`` is set."""
    config = DiscordConfig.from_settings(container.settings)
    if config.token is None:
        yield
        return
    previous_base, discord.http.Route.BASE = discord.http.Route.BASE, config.api_url
    client = TradehubClient(DiscordAdapter(gateway_for(container), config))
    task = asyncio.create_task(_run(client, config.token.get_secret_value()))
    try:
        yield
    finally:
        await client.close()
        try:
            await asyncio.wait_for(task, 10)
        except TimeoutError:
            log.warning("discord gateway did not stop in time")
        discord.http.Route.BASE = previous_base


async def _run(client: TradehubClient, token: str) -> None:
    try:
        await client.start(token, reconnect=True)
    except discord.LoginFailure:
        log.error("discord login failed: check TRADEHUB_DISCORD_TOKEN")
    except Exception:
        log.exception("discord gateway stopped")
