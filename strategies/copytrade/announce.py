"""Posts of a leader's fills to the leader's Discord channel webhook, rendered as an embed by the
webhooks package (``webhooks.channels.render_discord``).

The channel URL carries its token, so it is stored sealed (Fernet, the webhooks package's key) and never
shown, logged or put in an error: replies show ``…/webhooks/ID/***``. The post goes to
``TRADEHUB_DISCORD_API_URL`` + ``/webhooks/ID/TOKEN`` (Discord's execute-webhook route), so a local
Discord API serves it in tests.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import structlog

from engine.errors import UserInputError

if TYPE_CHECKING:
    from webhooks.secrets import SecretBox

log = structlog.get_logger(__name__)

_CHANNEL_WEBHOOK = re.compile(r"^https://(?:discord\.com|discordapp\.com)/api(?:/v[0-9]+)?/webhooks/([0-9]{1,25})/"
                              r"([A-Za-z0-9_\-]{1,100})$")  # fmt: skip


def masked(url: str) -> str:
    """The channel URL without its token, safe to show."""
    match = _CHANNEL_WEBHOOK.match(url)
    return f"…/webhooks/{match[1]}/***" if match else "a Discord channel"


class DiscordPoster:
    def __init__(
        self, *, api_url: str, master_key: str | None, home: Path, timeout_s: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:  # fmt: skip
        self.api_url = api_url.rstrip("/")
        self.timeout_s = timeout_s
        self.transport = transport
        self._master_key, self._home = master_key, home
        self._box: SecretBox | None = None

    def _secrets(self) -> SecretBox:
        if self._box is None:  # made on first use: the key file is only read when a channel is configured
            from webhooks.secrets import SecretBox

            self._box = SecretBox(master_key=self._master_key, home=self._home)
        return self._box

    def seal(self, url: str) -> str:
        """Check ``url`` is a Discord channel webhook and seal it for storage."""
        from webhooks.channels import kind_of  # channel kinds and rendering belong to the webhooks package

        if kind_of(url) != "discord" or not _CHANNEL_WEBHOOK.match(url):
            raise UserInputError("that is not a Discord channel webhook URL (https://discord.com/api/webhooks/ID/TOKEN)",
                                 code="bad_channel")  # fmt: skip
        return self._secrets().seal(url)

    def open(self, sealed: str) -> str:
        return self._secrets().open(sealed)

    async def post(self, sealed: str, data: dict[str, Any], ts_ms: int) -> str:
        """Post one leader fill; return ``posted`` or ``failed:<status or error>`` (never raises)."""
        from webhooks.channels import render_discord

        match = _CHANNEL_WEBHOOK.match(self.open(sealed))
        if match is None:
            return "failed:bad_url"
        stamp = datetime.fromtimestamp(ts_ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        body = render_discord({"type": "order.filled", "timestamp": stamp, "data": data})
        body["embeds"][0]["title"] = f"{data['leader']} {data['side']} {data['quantity']} {data['symbol']}"
        target = f"{self.api_url}/webhooks/{match[1]}/{match[2]}"
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s, transport=self.transport) as client:
                response = await client.post(target, params={"wait": "true"}, content=json.dumps(body),
                                             headers={"content-type": "application/json"})  # fmt: skip
        except httpx.HTTPError as error:
            log.warning("discord leader post failed", error=type(error).__name__)
            return f"failed:{type(error).__name__}"
        if response.status_code >= 300:
            log.warning("discord leader post refused", status=response.status_code)
            return f"failed:{response.status_code}"
        return "posted"
