"""The one door every chat adapter uses: a platform event in, the hub's answer out.

Adapters translate a platform update into a ``ChatEvent`` and render the ``ChatAnswer``; everything
that decides lives here or in the hub: who the chat user is (linked identities, the ``link`` flow
for strangers), the group-channel policy (no trading outside allow-listed channels, balances
answered privately outside the team's channel), exactly-once execution (the platform's event id is
the idempotency key) and confirmation button presses.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog

from engine.errors import PermissionDenied, TradehubError
from hub import grammar
from hub.chat import PRIVATE_FAMILIES, ChannelRule, is_trading
from hub.commands import Command, Link
from hub.principals import Principal
from hub.reply import Reply

if TYPE_CHECKING:
    from hub.app.container import Container

log = structlog.get_logger(__name__)
_ISSUED_CACHE = 1024


@dataclass(frozen=True, slots=True)
class ChatEvent:
    platform: str  # "telegram" | "slack" | "discord"
    user_id: str  # platform user id; Slack uses "TEAM_ID:USER_ID"
    channel_id: str  # the chat / channel the message came from
    private: bool  # a direct message with the bot
    text: str  # command text in the hub grammar (mention / slash-command name already stripped)
    event_id: str  # the platform's id of this user action; a platform retry carries the same id
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class ChatAnswer:
    reply: Reply
    private: bool  # deliver to the user privately instead of in the channel
    linked: bool  # False: the user is not linked and the reply explains how to link


class ChatGateway:
    def __init__(self, container: Container) -> None:
        self.hub = container.hub
        self.services = container.services
        self._issued: OrderedDict[tuple[str, str], ChatAnswer] = OrderedDict()  # event -> link code answer

    async def handle(self, event: ChatEvent) -> ChatAnswer:
        principal = self.services.users.by_chat_identity(event.platform, event.user_id)
        if principal is None:
            return self._stranger(event)
        rule = None if event.private else self.services.channels.get(event.platform, event.channel_id)
        family = _family(event.text)
        reply = await self.hub.handle(
            principal,
            event.text,
            frontend=event.platform,
            idempotency_key=_key(event),
            gate=None if event.private else _ChannelGate(event, rule),
        )
        private = (
            not event.private
            and family in PRIVATE_FAMILIES
            and (rule is None or rule.team is None or rule.team != principal.team)
        )
        return ChatAnswer(reply, private, True)

    async def press(self, event: ChatEvent, confirmation_id: str, *, approve: bool) -> ChatAnswer:
        """A Confirm or Cancel button: only the user who asked, once, before it expires."""
        principal = self.services.users.by_chat_identity(event.platform, event.user_id)
        if principal is None:
            return self._stranger(event)
        if approve:
            reply = await self.hub.handle(
                principal, f"confirm {confirmation_id}", frontend=event.platform, idempotency_key=_key(event)
            )
        else:
            reply = await self.hub.discard_confirmation(
                principal, confirmation_id, frontend=event.platform, idempotency_key=_key(event)
            )
        return ChatAnswer(reply, False, True)

    def principal(self, platform: str, user_id: str) -> Principal | None:
        return self.services.users.by_chat_identity(platform, user_id)

    def _stranger(self, event: ChatEvent) -> ChatAnswer:
        """Someone the hub does not know: they may ask for a link code, and nothing else runs."""
        if not isinstance(_parsed(event.text), Link):
            reply = Reply(
                False,
                f"This {event.platform} account is not linked to a tradehub user yet. "
                "Send `link` to get a one-time code.",
                error_code="not_linked",
                status=401,
            )
            return ChatAnswer(reply, False, False)
        cache_key = (event.platform, event.event_id)
        cached = self._issued.get(cache_key)  # a platform retry of the same `link` gets the same code
        if cached is not None:
            return cached
        try:
            code = self.services.links.issue(event.platform, event.user_id)
        except TradehubError as error:
            return ChatAnswer(Reply.from_error(error), True, False)
        answer = ChatAnswer(
            Reply(
                True,
                f"Your link code is {code} (valid 10 minutes, works once). Approve it as your tradehub user: "
                f"run `tradehub link YOUR_NAME --code {code}`, or send the command `link {code}` through the "
                "REST API with your API key.",
                data={"code": code},
            ),
            True,  # a code is a credential until used: never in a group channel
            False,
        )
        self._issued[cache_key] = answer
        while len(self._issued) > _ISSUED_CACHE:
            self._issued.popitem(last=False)
        log.info("chat link code issued", platform=event.platform)
        return answer


class _ChannelGate:
    """No trading in a group channel unless an admin allow-listed it for trading."""

    def __init__(self, event: ChatEvent, rule: ChannelRule | None) -> None:
        self.event = event
        self.rule = rule

    def __call__(self, command: Command) -> None:
        if is_trading(command.family) and (self.rule is None or not self.rule.trading):
            raise PermissionDenied(
                f"`{command.family}` is not allowed in this channel: message me directly, or ask an admin to run "
                f"`tradehub channel allow {self.event.platform}:{self.event.channel_id}`",
                code="channel_not_allowed",
            )


def _key(event: ChatEvent) -> str:
    return f"{event.platform}:{event.event_id}"


def _parsed(text: str) -> Command | None:
    try:
        return grammar.parse(text)
    except TradehubError:
        return None


def _family(text: str) -> str | None:
    command = _parsed(text)
    return None if command is None else command.family


def gateway_for(container: Container) -> ChatGateway:
    """The container's gateway (one per container, shared by every adapter)."""
    existing = container.extras.get("chat_gateway")
    if existing is None:
        existing = container.extras["chat_gateway"] = ChatGateway(container)
    return existing
