"""A hub ``Reply`` in Discord's idiom: one embed, Confirm/Cancel buttons, a chart attachment.

The same :class:`Message` feeds discord.py calls (gateway bot) and raw REST/JSON payloads (HTTP
interactions endpoint), so both paths show the same thing.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import discord

from bots.discord.buttons import confirmation_view
from bots.discord.schemas import EPHEMERAL
from hub.reply import Reply

IMAGE_NAME = "chart.png"
_MAX_DESCRIPTION = 4096
_GREEN, _AMBER, _RED = 0x2ECC71, 0xF1C40F, 0xE74C3C


@dataclass(frozen=True, slots=True)
class Message:
    reply: Reply
    ephemeral: bool

    @property
    def confirmation_id(self) -> str | None:
        return None if self.reply.confirmation is None else self.reply.confirmation.id

    def embed(self) -> discord.Embed:
        colour = _AMBER if self.reply.confirmation is not None else _GREEN if self.reply.ok else _RED
        text = self.reply.text or ("done" if self.reply.ok else "failed")
        if len(text) > _MAX_DESCRIPTION:
            text = text[: _MAX_DESCRIPTION - 1] + "…"
        embed = discord.Embed(description=text, colour=colour)
        if self.reply.image is not None:
            embed.set_image(url=f"attachment://{IMAGE_NAME}")
        return embed

    def view(self) -> discord.ui.View | None:
        return None if self.confirmation_id is None else confirmation_view(self.confirmation_id)

    def file(self) -> discord.File | None:
        return None if self.reply.image is None else discord.File(io.BytesIO(self.reply.image), IMAGE_NAME)

    def send_kwargs(self) -> dict[str, Any]:
        """Arguments of ``response.send_message`` / ``followup.send``."""
        kwargs: dict[str, Any] = {"embed": self.embed(), "ephemeral": self.ephemeral, **_NO_MENTIONS}
        view, file = self.view(), self.file()
        if view is not None:
            kwargs["view"] = view
        if file is not None:
            kwargs["file"] = file
        return kwargs

    def edit_kwargs(self) -> dict[str, Any]:
        """Arguments of ``edit_original_response`` / ``response.edit_message`` (replaces buttons and files)."""
        file = self.file()
        return {"embed": self.embed(), "view": self.view(), "attachments": [] if file is None else [file]}

    def payload(self) -> dict[str, Any]:
        """The message as Discord's JSON (HTTP endpoint); attachments go with :meth:`multipart`."""
        view = self.view()
        body: dict[str, Any] = {
            "embeds": [self.embed().to_dict()],
            "components": [] if view is None else view.to_components(),
            "allowed_mentions": {"parse": []},
        }
        if self.ephemeral:
            body["flags"] = EPHEMERAL
        if self.reply.image is not None:
            body["attachments"] = [{"id": 0, "filename": IMAGE_NAME}]
        return body

    def multipart(self) -> dict[str, tuple[str | None, bytes, str]]:
        """``payload_json`` plus ``files[0]``, as httpx ``files=`` (used when there is an image)."""
        parts: dict[str, tuple[str | None, bytes, str]] = {
            "payload_json": (None, json.dumps(self.payload()).encode(), "application/json")
        }
        if self.reply.image is not None:
            parts["files[0]"] = (IMAGE_NAME, self.reply.image, "image/png")
        return parts


_NO_MENTIONS = {"allowed_mentions": discord.AllowedMentions.none()}
