"""Buttons whose custom ids carry what they do, so presses work after a restart.

``tradehub:confirm:<id>`` and ``tradehub:cancel:<id>`` answer a confirmation; ``tradehub:run:<text>``
is the chat contract's generic "run this command" button (risk alerts use it; Discord buttons have
no separate value, so the command text rides in the custom id, at most 100 characters in all). Each
is a ``discord.ui.DynamicItem`` registered on the client (``add_dynamic_items``): no view has to be
kept in memory for a press to be routed, which makes the buttons persistent. The HTTP endpoint
parses the same ids with :func:`parse`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import discord

if TYPE_CHECKING:
    from bots.discord.client import TradehubClient

CUSTOM_ID = re.compile(r"tradehub:(?P<action>confirm|cancel):(?P<id>[A-Za-z0-9_\-]{1,80})")
RUN_ID = re.compile(r"tradehub:run:(?P<text>[^\n]{1,87})")


@dataclass(frozen=True, slots=True)
class Press:
    confirmation_id: str
    approve: bool


@dataclass(frozen=True, slots=True)
class Run:
    text: str


def parse(custom_id: str) -> Press | Run | None:
    """What a custom id stands for, or ``None`` for an id that is not ours."""
    match = CUSTOM_ID.fullmatch(custom_id)
    if match is not None:
        return Press(match["id"], match["action"] == "confirm")
    run = RUN_ID.fullmatch(custom_id)
    return None if run is None else Run(run["text"])


class ConfirmationButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=CUSTOM_ID):
    def __init__(self, confirmation_id: str, *, approve: bool) -> None:
        action = "confirm" if approve else "cancel"
        super().__init__(
            discord.ui.Button(
                label="Confirm" if approve else "Cancel",
                style=discord.ButtonStyle.success if approve else discord.ButtonStyle.secondary,
                custom_id=f"tradehub:{action}:{confirmation_id}",
            )
        )
        self.press = Press(confirmation_id, approve)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ConfirmationButton:
        return cls(match["id"], approve=match["action"] == "confirm")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        client = cast("TradehubClient", interaction.client)
        await client.responder.press(interaction, self.press)


class RunButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=RUN_ID):
    def __init__(self, text: str, *, label: str = "Run") -> None:
        super().__init__(
            discord.ui.Button(label=label, style=discord.ButtonStyle.primary, custom_id=f"tradehub:run:{text}")
        )
        self.run = Run(text)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RunButton:
        label = item.label if isinstance(item, discord.ui.Button) and item.label else "Run"
        return cls(match["text"], label=label)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        client = cast("TradehubClient", interaction.client)
        await client.responder.run(interaction, self.run.text)


def confirmation_view(confirmation_id: str) -> discord.ui.View:
    """A persistent view (no timeout) with the Confirm and Cancel buttons of one confirmation."""
    view = discord.ui.View(timeout=None)
    view.add_item(ConfirmationButton(confirmation_id, approve=True))
    view.add_item(ConfirmationButton(confirmation_id, approve=False))
    return view
