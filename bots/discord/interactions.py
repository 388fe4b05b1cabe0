"""``POST /discord/interactions``: Discord's HTTP interactions endpoint, for deployments without a gateway.

Every request is verified first (Ed25519 over ``X-Signature-Timestamp + body`` with the application's
public key, ``TRADEHUB_DISCORD_PUBLIC_KEY``); a bad or missing signature is a 401 and nothing runs.
PING gets PONG. A command or a button press goes to the chat gateway; its answer is the HTTP response
when it is ready within the ack budget, otherwise the response defers (type 5, or 6 for a press) and
the result follows through the interaction webhook once the command finishes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import httpx
import nacl.exceptions
import nacl.signing
import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.background import BackgroundTask

from bots.discord import buttons
from bots.discord.adapter import DiscordAdapter, message_for
from bots.discord.commands import command_text
from bots.discord.config import DiscordConfig
from bots.discord.followup import InteractionWebhook
from bots.discord.render import Message
from bots.discord.schemas import Interaction, InteractionType, ResponseType
from bots.gateway import ChatAnswer, ChatEvent, gateway_for
from engine.errors import Unauthenticated, UserInputError
from hub.app.container import Container
from hub.reply import Reply

log = structlog.get_logger(__name__)
_MAX_SKEW_S = 300  # signed timestamps older than this are replays, not Discord


class SignatureVerifier:
    def __init__(self, public_key: str | None) -> None:
        try:
            self._key = None if not public_key else nacl.signing.VerifyKey(bytes.fromhex(public_key))
        except (ValueError, nacl.exceptions.CryptoError) as error:
            raise ValueError("TRADEHUB_DISCORD_PUBLIC_KEY must be the application's hex Ed25519 public key") from error

    def verify(self, body: bytes, signature: str | None, timestamp: str | None) -> None:
        """Raise ``Unauthenticated`` unless Discord signed ``timestamp + body`` recently."""
        if self._key is None:
            raise Unauthenticated("the Discord interactions endpoint is not configured")
        if not signature or not timestamp:
            raise Unauthenticated("missing Discord request signature")
        try:
            self._key.verify(timestamp.encode() + body, bytes.fromhex(signature))
            fresh = abs(time.time() - int(timestamp)) <= _MAX_SKEW_S
        except (ValueError, nacl.exceptions.BadSignatureError):
            raise Unauthenticated("invalid Discord request signature") from None
        if not fresh:
            raise Unauthenticated("stale Discord request signature")


def make_router(container: Container, config: DiscordConfig | None = None) -> APIRouter:
    config = config or DiscordConfig.from_settings(container.settings)
    verifier = SignatureVerifier(config.public_key)
    flow = _Flow(DiscordAdapter(gateway_for(container), config))

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=10.0) as client:  # follow-ups of deferred interactions
            flow.webhook = InteractionWebhook(config, client)
            yield

    async def verified(request: Request) -> Interaction:
        body = await request.body()
        headers = request.headers
        verifier.verify(body, headers.get("X-Signature-Ed25519"), headers.get("X-Signature-Timestamp"))
        try:
            return Interaction.model_validate_json(body)
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "body"
            raise UserInputError(f"invalid Discord interaction: {field}: {first['msg']}") from None

    router = APIRouter(lifespan=lifespan, tags=["discord"])

    @router.post("/discord/interactions", summary="Discord HTTP interactions (Ed25519-signed by Discord)")
    async def interactions(request: Request) -> JSONResponse:
        interaction = await verified(request)  # before anything else: unsigned requests run nothing
        if interaction.type == InteractionType.PING:
            return JSONResponse({"type": ResponseType.PONG})
        if interaction.type == InteractionType.APPLICATION_COMMAND:
            return await flow.command(interaction)
        if interaction.type == InteractionType.MESSAGE_COMPONENT:
            return await flow.component(interaction)
        raise UserInputError(f"unsupported Discord interaction type {interaction.type}")

    return router


class _Flow:
    """Answer within the ack budget in the HTTP response, or defer and follow up through the webhook."""

    def __init__(self, adapter: DiscordAdapter) -> None:
        self.adapter = adapter
        self.webhook: InteractionWebhook | None = None  # set while the app runs (router lifespan)

    def _webhook(self) -> InteractionWebhook:
        if self.webhook is None:
            raise RuntimeError("the Discord router's lifespan has not started")
        return self.webhook

    async def command(self, interaction: Interaction) -> JSONResponse:
        data = interaction.command()
        try:
            text = command_text(data.name, data.values())
        except UserInputError as error:
            return _respond(ResponseType.CHANNEL_MESSAGE, Message(Reply.from_error(error), ephemeral=True))
        return await self.run(interaction, text)

    async def run(self, interaction: Interaction, text: str) -> JSONResponse:
        """One grammar line (a slash command or a ``tradehub:run`` button): the reply, or defer."""
        task = self.adapter.run(_event(self.adapter, interaction, text))
        answer = await self.adapter.within_budget(task)
        if answer is not None and answer.reply.image is None:
            return _respond(ResponseType.CHANNEL_MESSAGE, message_for(answer))
        return JSONResponse(
            {"type": ResponseType.DEFERRED_CHANNEL_MESSAGE},
            background=BackgroundTask(self._complete_command, interaction, task),
        )

    async def component(self, interaction: Interaction) -> JSONResponse:
        press = buttons.parse(interaction.component().custom_id)
        if isinstance(press, buttons.Run):
            return await self.run(interaction, press.text)
        if press is None:
            refused = Reply(False, "this button is not one of tradehub's", error_code="unknown_button", status=400)
            return _respond(ResponseType.CHANNEL_MESSAGE, Message(refused, ephemeral=True))
        text = f"{'confirm' if press.approve else 'cancel'} {press.confirmation_id}"
        task = self.adapter.press(_event(self.adapter, interaction, text), press)
        answer = await self.adapter.within_budget(task)
        if answer is not None and answer.reply.image is None:
            if answer.reply.ok:
                return _respond(ResponseType.UPDATE_MESSAGE, message_for(answer))
            return _respond(ResponseType.CHANNEL_MESSAGE, Message(answer.reply, ephemeral=True))
        return JSONResponse(
            {"type": ResponseType.DEFERRED_UPDATE_MESSAGE},
            background=BackgroundTask(self._complete_press, interaction, task),
        )

    async def _complete_command(self, interaction: Interaction, task: asyncio.Future[ChatAnswer]) -> None:
        message = message_for(await self.adapter.settle(task))
        webhook = self._webhook()
        if message.ephemeral and interaction.guild_id is not None:  # the deferred message is public: replace it
            if await webhook.send(interaction, message):
                await webhook.delete_original(interaction)
        else:
            await webhook.edit_original(interaction, message)

    async def _complete_press(self, interaction: Interaction, task: asyncio.Future[ChatAnswer]) -> None:
        answer = await self.adapter.settle(task)
        webhook = self._webhook()
        if answer.reply.ok:
            await webhook.edit_original(interaction, message_for(answer))
        else:
            await webhook.send(interaction, Message(answer.reply, ephemeral=True))


def _event(adapter: DiscordAdapter, interaction: Interaction, text: str) -> ChatEvent:
    author = interaction.author
    if author is None:
        raise UserInputError("invalid Discord interaction: member.user or user is required")
    return adapter.event(
        interaction_id=interaction.id,
        user_id=author.id,
        channel_id=interaction.channel_id,
        guild_id=interaction.guild_id,
        text=text,
        name=author.display_name,
    )


def _respond(kind: ResponseType, message: Message) -> JSONResponse:
    return JSONResponse({"type": kind, "data": message.payload()})
