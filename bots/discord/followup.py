"""Follow-ups of deferred HTTP interactions: interaction webhook calls over httpx, with backoff.

A 429 waits the ``retry_after`` Discord sends (JSON body, else ``Retry-After`` /
``X-RateLimit-Reset-After`` headers); a 5xx or a transport error waits an exponential backoff. Only
the delivery is retried: the command already ran once, and ``PATCH .../@original`` is idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import structlog

from bots.discord.config import DiscordConfig
from bots.discord.render import Message
from bots.discord.schemas import Interaction

log = structlog.get_logger(__name__)


class InteractionWebhook:
    """Edits and follow-ups of one application's interactions (``/webhooks/{application_id}/{token}``)."""

    def __init__(self, config: DiscordConfig, client: httpx.AsyncClient) -> None:
        self.config = config
        self.client = client

    async def edit_original(self, interaction: Interaction, message: Message) -> bool:
        return await self._call("PATCH", _path(interaction, "/messages/@original"), message)

    async def send(self, interaction: Interaction, message: Message) -> bool:
        return await self._call("POST", _path(interaction), message)

    async def delete_original(self, interaction: Interaction) -> bool:
        return await self._call("DELETE", _path(interaction, "/messages/@original"), None)

    async def _call(self, method: str, path: str, message: Message | None) -> bool:
        url = f"{self.config.api_url}{path}"
        for attempt in range(1, self.config.max_attempts + 1):
            backoff = self.config.backoff_s * 2 ** (attempt - 1)
            try:
                response = await self._request(method, url, message)
            except httpx.TransportError as error:
                log.warning("discord webhook unreachable", method=method, attempt=attempt, error=type(error).__name__)
                await asyncio.sleep(backoff)
                continue
            if response.status_code == 429:
                wait = min(_retry_after(response, backoff), self.config.max_wait_s)
                log.info("discord rate limit on a follow-up", method=method, attempt=attempt, wait_s=wait)
                await asyncio.sleep(wait)
                continue
            if response.status_code >= 500:
                log.warning("discord server error on a follow-up", status=response.status_code, attempt=attempt)
                await asyncio.sleep(backoff)
                continue
            if response.is_error:
                log.warning(
                    "discord refused a follow-up", method=method, status=response.status_code, body=response.text[:200]
                )
                return False
            return True
        log.error("discord follow-up given up", method=method, attempts=self.config.max_attempts)
        return False

    async def _request(self, method: str, url: str, message: Message | None) -> httpx.Response:
        if message is None:
            return await self.client.request(method, url)
        if message.reply.image is not None:
            return await self.client.request(method, url, files=message.multipart())
        return await self.client.request(method, url, json=message.payload())


def _path(interaction: Interaction, tail: str = "") -> str:
    return f"/webhooks/{interaction.application_id}/{interaction.token}{tail}"


def _retry_after(response: httpx.Response, fallback: float) -> float:
    with contextlib.suppress(ValueError, TypeError, KeyError, AttributeError):
        return max(0.0, float(response.json()["retry_after"]))
    for header in ("Retry-After", "X-RateLimit-Reset-After"):
        with contextlib.suppress(ValueError, TypeError, KeyError):
            return max(0.0, float(response.headers[header]))
    return fallback
