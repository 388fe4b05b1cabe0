"""Translate Slack requests to gateway events and gateway answers to Block Kit: the bolt app.

Every listener acknowledges first (Slack's 3 s deadline), then runs the command through the gateway and
delivers the answer: slash commands through their ``response_url``, mentions and DMs with
``chat.postMessage``, private answers in a shared channel with ``chat.postEphemeral``, charts with
``files_upload_v2``. Button presses update the message they were pressed on with the outcome.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import aiohttp
import structlog
from pydantic import ValidationError
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError

from bots.gateway import ChatAnswer, ChatEvent, gateway_for
from bots.slack.blocks import CANCEL_PREFIX, CONFIRM_PREFIX, RUN_ACTION, fallback_text, reply_blocks
from bots.slack.client import make_web_client
from bots.slack.config import SlackConfig
from bots.slack.schemas import BlockActions, EventCallback, MessageEvent, SlashCommand, identity

if TYPE_CHECKING:
    from hub.app.container import Container

log = structlog.get_logger(__name__)

PLATFORM = "slack"
SLASH_COMMAND = "/trade"
_CONFIRMATION_ACTION = re.compile(f"^({re.escape(CONFIRM_PREFIX)}|{re.escape(CANCEL_PREFIX)})(.+)$")
_REMEMBERED_EVENTS = 4096


class _SeenEvents:
    """Event ids this process is answering or has answered, so a Slack retry is not answered twice.

    Only the delivery is deduplicated here; the command itself runs once because the gateway keys it
    by ``slack:<event_id>`` in the hub, which also covers retries that reach another replica.
    """

    def __init__(self, size: int = _REMEMBERED_EVENTS) -> None:
        self._size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def claim(self, event_id: str) -> bool:
        if event_id in self._ids:
            return False
        self._ids[event_id] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return True

    def release(self, event_id: str) -> None:
        self._ids.pop(event_id, None)


class SlackBot:
    """One bolt ``AsyncApp`` wired to the chat gateway; shared by HTTP mode and Socket Mode."""

    def __init__(self, container: Container, config: SlackConfig) -> None:
        self.config = config
        self.gateway = gateway_for(container)
        self.client = make_web_client(config)
        self.app = AsyncApp(
            client=self.client,
            signing_secret=config.signing_secret or "",
            name="tradehub",
        )
        self._seen = _SeenEvents()
        self.app.command(SLASH_COMMAND)(self._on_slash_command)
        self.app.event("app_mention")(self._on_message_event)
        self.app.event("message")(self._on_message_event)
        self.app.action(_CONFIRMATION_ACTION)(self._on_confirmation_press)
        self.app.action(RUN_ACTION)(self._on_run_press)

    async def close(self) -> None:
        """Close the Web API connection pool (opened on first use, in the loop that serves the bot)."""
        if self.client.session is not None:
            await self.client.session.close()
            self.client.session = None

    def _pooled_connections(self) -> None:
        # slack_sdk opens a new aiohttp session (and TCP connection) per call unless given one; a session
        # must belong to a running loop, so it is made on first use rather than in __init__.
        if self.client.session is None or self.client.session.closed:
            self.client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.client.timeout))

    # ----------------------------------------------------------------- listeners

    async def _on_slash_command(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        try:
            command = SlashCommand.model_validate(body)
        except ValidationError as error:
            log.warning("slack slash command payload refused", errors=error.errors(include_input=False))
            return
        event = ChatEvent(
            platform=PLATFORM,
            user_id=identity(command.team_id, command.user_id),
            channel_id=command.channel_id,
            private=command.private,
            text=command.text.strip() or "help",  # a bare `/trade` shows the usage, as slash commands do
            event_id=command.trigger_id,
            display_name=command.user_name,
        )
        await self._run(event, command.user_id, respond=respond)

    async def _on_message_event(self, body: dict[str, Any]) -> None:
        try:
            callback = EventCallback.model_validate(body)
        except ValidationError as error:
            log.warning("slack event payload refused", errors=error.errors(include_input=False))
            return
        message = callback.event
        if not message.from_a_person or (message.type == "message" and message.channel_type != "im"):
            return  # edits, bot posts, and channel chatter that does not mention us
        event = ChatEvent(
            platform=PLATFORM,
            user_id=identity(message.team or callback.team_id, message.user),
            channel_id=message.channel,
            private=message.channel_type == "im",
            text=message.command_text,
            event_id=callback.event_id,
        )
        await self._run(event, message.user, thread_ts=_thread_of(message))

    async def _on_run_press(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        press = _parse_press(body)
        if press is None:
            return
        event = self._press_event(press, text=press.action.value.strip())
        await self._run(event, press.user.id, fallback=respond, thread_ts=press.container.message_ts or None)

    async def _on_confirmation_press(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        press = _parse_press(body)
        matched = None if press is None else _CONFIRMATION_ACTION.match(press.action.action_id)
        if press is None or matched is None:
            return
        approve = matched.group(1) == CONFIRM_PREFIX
        event = self._press_event(press, text="")
        if not self._seen.claim(event.event_id):
            return
        answer = await self.gateway.press(event, matched.group(2), approve=approve)
        try:
            if not answer.reply.ok and answer.reply.confirmation is None:
                # Foreign, stale or repeated press: tell the presser only; the message stays for its owner.
                await self._deliver(answer, event, press.user.id, fallback=respond, force_private=True)
                return
            verb = "Confirmed" if approve else "Canceled"
            await self._replace_pressed_message(press, answer, note=f"{verb} by <@{press.user.id}>", respond=respond)
        except Exception:
            self._seen.release(event.event_id)
            raise

    # ----------------------------------------------------------------- running and delivering

    def _press_event(self, press: BlockActions, *, text: str) -> ChatEvent:
        channel = press.channel_id
        return ChatEvent(
            platform=PLATFORM,
            user_id=identity(press.team_id, press.user.id),
            channel_id=channel,
            private=channel.startswith("D"),
            text=text,
            event_id=press.press_id,
            display_name=press.user.name,
        )

    async def _run(
        self,
        event: ChatEvent,
        user: str,
        *,
        respond: AsyncRespond | None = None,
        fallback: AsyncRespond | None = None,
        thread_ts: str | None = None,
    ) -> None:
        if not self._seen.claim(event.event_id):
            log.info("slack retry of an answered event ignored", event_id=event.event_id)
            return
        answer = await self.gateway.handle(event)
        try:
            await self._deliver(answer, event, user, respond=respond, fallback=fallback, thread_ts=thread_ts)
        except Exception:
            self._seen.release(event.event_id)  # a retry may deliver it; the hub still runs it once
            raise

    async def _deliver(
        self,
        answer: ChatAnswer,
        event: ChatEvent,
        user: str,
        *,
        respond: AsyncRespond | None = None,
        fallback: AsyncRespond | None = None,
        thread_ts: str | None = None,
        force_private: bool = False,
    ) -> None:
        """Show ``answer`` where it belongs: in the channel, or only to ``user`` when it is private.

        ``respond`` (a slash command's ``response_url``) is used first when given; ``fallback`` (a button's
        ``response_url``) only when the Web API refuses, e.g. in a channel the bot is not a member of.
        """
        self._pooled_connections()
        reply = answer.reply
        text, blocks = fallback_text(reply), reply_blocks(reply)
        private = (answer.private or force_private) and not event.private
        response_type = "ephemeral" if private else "in_channel"
        if respond is not None:
            # A slash command in a DM may be in a DM between two people (Slack does not say which), so
            # the answer there is shown to the invoker only.
            visibility = "ephemeral" if event.private else response_type
            await respond(text=text, blocks=blocks, response_type=visibility, replace_original=False)
        else:
            try:
                if private:
                    await self.client.chat_postEphemeral(channel=event.channel_id, user=user, text=text, blocks=blocks)
                else:
                    await self.client.chat_postMessage(
                        channel=event.channel_id, text=text, blocks=blocks, thread_ts=thread_ts
                    )
            except SlackApiError as error:
                if fallback is None or error.response.status_code == 429 or error.response.status_code >= 500:
                    raise
                log.info("slack post refused; answering through response_url", error=error.response.get("error"))
                await fallback(text=text, blocks=blocks, response_type=response_type, replace_original=False)
        if reply.image is not None:
            channel = await self._direct_channel(user) if private else event.channel_id
            await self.client.files_upload_v2(
                channel=channel, file=reply.image, filename="tradehub-chart.png", title=_chart_title(event.text)
            )

    async def _replace_pressed_message(
        self, press: BlockActions, answer: ChatAnswer, *, note: str, respond: AsyncRespond
    ) -> None:
        self._pooled_connections()
        reply = answer.reply
        text, blocks = fallback_text(reply), reply_blocks(reply, note=note)
        if not press.container.is_ephemeral and press.container.message_ts:
            try:
                await self.client.chat_update(
                    channel=press.channel_id, ts=press.container.message_ts, text=text, blocks=blocks
                )
                return
            except SlackApiError as error:  # e.g. a message posted through a response_url
                log.info("slack chat.update refused; replacing through response_url", error=error.response.get("error"))
        await respond(text=text, blocks=blocks, replace_original=True)

    async def _direct_channel(self, user: str) -> str:
        opened = await self.client.conversations_open(users=user)
        return str(opened["channel"]["id"])


def _parse_press(body: dict[str, Any]) -> BlockActions | None:
    try:
        return BlockActions.model_validate(body)
    except ValidationError as error:
        log.warning("slack block action payload refused", errors=error.errors(include_input=False))
        return None


def _thread_of(message: MessageEvent) -> str | None:
    """Answer a mention inside a thread in that thread; top-level mentions and DMs get a plain reply."""
    return message.thread_ts if message.type == "app_mention" else None


def _chart_title(command_text: str) -> str:
    return f"tradehub: {command_text}"[:250] if command_text else "tradehub chart"
