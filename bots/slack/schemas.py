"""Wire payloads Slack sends us (the parts we read), decoded at the edge with pydantic.

Bolt hands listeners plain dicts; each listener turns its dict into one of these models first, so a
payload missing a field we need is refused in one place with the field named.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

_MENTION = re.compile(r"^\s*<@[A-Z0-9]+(?:\|[^>]*)?>[\s:,]*")


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class SlashCommand(_Payload):
    """``/trade <text>`` (https://api.slack.com/interactivity/slash-commands#app_command_handling)."""

    team_id: str
    user_id: str
    user_name: str = ""
    channel_id: str
    channel_name: str = ""
    command: str
    text: str = ""
    trigger_id: str
    response_url: str = ""

    @property
    def private(self) -> bool:
        return self.channel_name == "directmessage" or self.channel_id.startswith("D")


class MessageEvent(_Payload):
    """A ``message`` or ``app_mention`` event inside an Events API ``event_callback``."""

    type: str
    user: str = ""
    text: str = ""
    channel: str
    channel_type: str = ""
    team: str = ""
    ts: str = ""
    thread_ts: str | None = None
    subtype: str | None = None
    bot_id: str | None = None

    @property
    def from_a_person(self) -> bool:
        """Edits, joins and bot posts (ours included) are not commands."""
        return bool(self.user) and self.subtype is None and self.bot_id is None

    @property
    def command_text(self) -> str:
        """The text without the leading ``<@BOT>`` mention Slack puts in ``app_mention`` events."""
        return _MENTION.sub("", self.text, count=1).strip()


class EventCallback(_Payload):
    """The Events API envelope (https://api.slack.com/apis/events-api#callback-field)."""

    team_id: str
    event_id: str
    event: MessageEvent


class _Team(_Payload):
    id: str


class _User(_Payload):
    id: str
    team_id: str = ""
    name: str = ""


class _Channel(_Payload):
    id: str


class _Container(_Payload):
    type: str = "message"
    message_ts: str = ""
    channel_id: str = ""
    is_ephemeral: bool = False


class ButtonAction(_Payload):
    action_id: str
    value: str = ""
    action_ts: str = ""


class BlockActions(_Payload):
    """A ``block_actions`` interaction (https://api.slack.com/reference/interaction-payloads/block-actions)."""

    type: str
    user: _User
    team: _Team | None = None
    channel: _Channel | None = None
    container: _Container = Field(default_factory=_Container)
    trigger_id: str = ""
    response_url: str = ""
    actions: list[ButtonAction] = Field(min_length=1)

    @property
    def team_id(self) -> str:
        return self.team.id if self.team is not None else self.user.team_id

    @property
    def channel_id(self) -> str:
        return self.channel.id if self.channel is not None else self.container.channel_id

    @property
    def action(self) -> ButtonAction:
        return self.actions[0]

    @property
    def press_id(self) -> str:
        """Unique per press: the trigger id, else the action's timestamp."""
        return self.trigger_id or f"{self.action.action_id}@{self.action.action_ts}"


def identity(team_id: str, user_id: str) -> str:
    """The linked-identity form used for Slack users: ``TEAM_ID:USER_ID``."""
    return f"{team_id}:{user_id}"
