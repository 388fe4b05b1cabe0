"""What both Discord paths share: interaction -> ``ChatEvent``, one run per interaction id, the ack budget.

Discord refuses an initial response after 3 s. Each path starts the gateway call as a task, waits at
most ``ack_budget_s`` for it, and either answers with the result or defers and follows up when the
task ends. A second delivery of an interaction id that is still running joins the running task
instead of starting another; a later one is answered by the hub from its idempotency store
(key ``discord:<interaction id>``), so a command never runs twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog

from bots.discord.buttons import Press
from bots.discord.config import DiscordConfig
from bots.discord.render import Message
from bots.gateway import ChatAnswer, ChatEvent, ChatGateway
from hub.reply import Reply

PLATFORM = "discord"
log = structlog.get_logger(__name__)


class DiscordAdapter:
    def __init__(self, gateway: ChatGateway, config: DiscordConfig) -> None:
        self.gateway = gateway
        self.config = config
        self._running: dict[str, asyncio.Future[ChatAnswer]] = {}

    @staticmethod
    def event(
        *, interaction_id: str, user_id: str, channel_id: str | None, guild_id: str | None, text: str, name: str = ""
    ) -> ChatEvent:
        """A slash command or button press; outside a guild it is a DM with the bot, hence private."""
        return ChatEvent(
            platform=PLATFORM,
            user_id=user_id,
            channel_id=channel_id or user_id,
            private=guild_id is None,
            text=text,
            event_id=interaction_id,
            display_name=name,
        )

    def run(self, event: ChatEvent) -> asyncio.Future[ChatAnswer]:
        return self._once(event.event_id, lambda: self.gateway.handle(event))

    def press(self, event: ChatEvent, press: Press) -> asyncio.Future[ChatAnswer]:
        return self._once(
            event.event_id, lambda: self.gateway.press(event, press.confirmation_id, approve=press.approve)
        )

    async def within_budget(self, task: asyncio.Future[ChatAnswer]) -> ChatAnswer | None:
        """The answer if it is ready within the ack budget, else ``None`` (the task keeps running)."""
        done, _pending = await asyncio.wait({task}, timeout=self.config.ack_budget_s)
        return await self.settle(task) if done else None

    @staticmethod
    async def settle(task: asyncio.Future[ChatAnswer]) -> ChatAnswer:
        """The task's answer; a crash in the gateway becomes an error answer instead of silence."""
        try:
            return await asyncio.shield(task)
        except Exception:
            log.exception("discord command failed in the gateway")
            return ChatAnswer(Reply(False, "internal error; the operator has been told", status=500), True, True)

    def _once(self, key: str, work: Callable[[], Awaitable[ChatAnswer]]) -> asyncio.Future[ChatAnswer]:
        running = self._running.get(key)
        if running is None:
            running = self._running[key] = asyncio.ensure_future(work())
            running.add_done_callback(lambda _done: self._running.pop(key, None))
        else:
            log.info("discord interaction delivered again while running; joining it", interaction=key)
        return running


def message_for(answer: ChatAnswer) -> Message:
    return Message(answer.reply, ephemeral=answer.private)
