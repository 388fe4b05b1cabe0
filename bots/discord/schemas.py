"""Wire payloads of the HTTP interactions endpoint, parsed at the edge (only the fields we use)."""

from __future__ import annotations

from enum import IntEnum

from pydantic import BaseModel, ConfigDict, Field


class InteractionType(IntEnum):
    PING = 1
    APPLICATION_COMMAND = 2
    MESSAGE_COMPONENT = 3


class ResponseType(IntEnum):
    PONG = 1
    CHANNEL_MESSAGE = 4
    DEFERRED_CHANNEL_MESSAGE = 5
    DEFERRED_UPDATE_MESSAGE = 6
    UPDATE_MESSAGE = 7


EPHEMERAL = 1 << 6


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class User(_Payload):
    id: str
    username: str = ""
    global_name: str | None = None

    @property
    def display_name(self) -> str:
        return self.global_name or self.username


class Member(_Payload):
    user: User


class CommandOption(_Payload):
    name: str
    type: int
    value: str | int | float | bool | None = None


class CommandData(_Payload):
    name: str
    options: list[CommandOption] = Field(default_factory=list)

    def values(self) -> dict[str, str]:
        return {option.name: str(option.value) for option in self.options if option.value is not None}


class ComponentData(_Payload):
    custom_id: str = Field(max_length=100)
    component_type: int


class Interaction(_Payload):
    id: str
    application_id: str
    type: int
    token: str
    data: dict[str, object] | None = None
    guild_id: str | None = None
    channel_id: str | None = None
    member: Member | None = None
    user: User | None = None

    @property
    def author(self) -> User | None:
        """Who acted: ``member.user`` in a guild, ``user`` in a DM."""
        return self.member.user if self.member is not None else self.user

    def command(self) -> CommandData:
        return CommandData.model_validate(self.data or {})

    def component(self) -> ComponentData:
        return ComponentData.model_validate(self.data or {})
