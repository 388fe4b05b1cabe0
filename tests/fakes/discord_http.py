"""Discord delivering interactions to an application's HTTP interactions endpoint (no gateway).

Discord POSTs the interaction JSON, signed with the application's Ed25519 key
(``X-Signature-Ed25519`` over ``X-Signature-Timestamp + body``), and takes the HTTP response as the
initial interaction response; an endpoint that does not answer within 3 s fails the interaction.
:meth:`HttpInteractionsMixin.deliver` does exactly that over real HTTP and records the exchange as
``http.INTERACTION``; follow-ups then go through the REST routes (``EDIT_ORIGINAL``, ``FOLLOWUP``).
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp

from tests.fakes._server import BackgroundServer, ParsedBody, RecordedRequest, RequestJournal
from tests.fakes.discord_payloads import message_form_errors

HTTP_INTERACTION = "http.INTERACTION"
_USER_AGENT = "Discord-Interactions/1.0 (+https://discord.com)"


@dataclass(frozen=True, slots=True)
class Delivery:
    status: int  # 0: the endpoint did not answer within Discord's deadline
    body: Any
    elapsed_s: float
    acknowledged: bool  # Discord took the response as the interaction's initial response


class HttpInteractionsMixin:
    """Outbound interaction delivery of :class:`tests.fakes.discord.FakeDiscord`."""

    _server: BackgroundServer
    journal: RequestJournal
    application_id: str
    guild_id: str
    interaction_deadline_s: float
    _interactions: dict[str, dict[str, Any]]

    if TYPE_CHECKING:  # provided by FakeDiscord

        def snowflake(self) -> str: ...

        def sign_interaction(self, body: bytes, *, timestamp: str | None = None) -> dict[str, str]: ...

        def _slash_interaction(self, *args: Any, registered_only: bool = True) -> dict[str, Any]: ...

        def _component_interaction(self, *args: Any) -> dict[str, Any]: ...

        def _interaction(self, *args: Any) -> dict[str, Any]: ...

        def _apply_callback(
            self, state: dict[str, Any], kind: Any, data: dict[str, Any], parsed: ParsedBody
        ) -> Any: ...

    def http_slash_command(
        self,
        name: str,
        options: Mapping[str, Any] | list[dict[str, Any]] | None = None,
        *,
        user_id: str | None = None,
        guild_id: str | None = "default",
        channel_id: str | None = None,
        interaction_id: str | None = None,
    ) -> dict[str, Any]:
        """An APPLICATION_COMMAND interaction to :meth:`deliver` (``guild_id=None``: a DM with the bot)."""
        build = functools.partial(
            self._slash_interaction, name, options, user_id, guild_id, channel_id, interaction_id, None
        )
        return self._server.run(self._built(functools.partial(build, registered_only=False)))

    async def _built(self, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        return build()  # on the server loop, like every change to the fake's state

    def http_component(
        self, custom_id: str, *, message: dict[str, Any], user_id: str | None = None, interaction_id: str | None = None
    ) -> dict[str, Any]:
        """A MESSAGE_COMPONENT (button press) interaction on ``message`` to :meth:`deliver`."""
        build = functools.partial(self._component_interaction, custom_id, message, user_id, 2, None, interaction_id)
        return self._server.run(self._built(build))

    def ping_interaction(self) -> dict[str, Any]:
        """The PING Discord sends when the endpoint URL is saved (and now and then)."""
        identifier = self.snowflake()
        return {
            "id": identifier,
            "application_id": self.application_id,
            "type": 1,
            "token": f"tok-{identifier}",
            "version": 1,
        }

    def deliver(self, url: str, interaction: dict[str, Any], *, headers: Mapping[str, str] | None = None) -> Delivery:
        """POST ``interaction`` to the endpoint at ``url``, signed unless ``headers`` are given."""
        body = json.dumps(interaction).encode()
        signed = self.sign_interaction(body) if headers is None else dict(headers)
        return self._server.run(self._deliver(url, interaction, body, signed), timeout=self.interaction_deadline_s + 5)

    async def _deliver(self, url: str, interaction: dict[str, Any], body: bytes, headers: dict[str, str]) -> Delivery:
        started = time.monotonic()
        sent = {**headers, "Content-Type": "application/json", "User-Agent": _USER_AGENT}
        timeout = aiohttp.ClientTimeout(total=self.interaction_deadline_s)
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.post(url, data=body, headers=sent, timeout=timeout) as response,
            ):
                status, raw = response.status, await response.read()
            payload: Any = json.loads(raw) if raw else None
        except TimeoutError:
            status, payload = 0, None
        elapsed = time.monotonic() - started
        acknowledged = status == 200 and self._acknowledge(interaction, payload)
        self.journal.record(
            RecordedRequest(
                name=HTTP_INTERACTION,
                http_method="POST",
                path=url,
                query={},
                headers={key.lower(): value for key, value in sent.items()},
                body=interaction,
                files={},
                raw=body,
                status=status,
                response=payload,
            )
        )
        return Delivery(status, payload, elapsed, acknowledged)

    def _acknowledge(self, interaction: dict[str, Any], payload: Any) -> bool:
        if not isinstance(payload, dict):
            return False
        if interaction.get("type") == 1:
            return payload.get("type") == 1
        state = self._interactions.get(interaction.get("id", ""))
        data = payload.get("data") or {}
        if state is None or state["responded"] or (payload.get("type") in (4, 7) and message_form_errors(data)):
            return False
        try:
            self._apply_callback(state, payload.get("type"), data, ParsedBody({}, {}, b""))
        except Exception:  # DiscordHTTPError: Discord would show "This interaction failed"
            return False
        state["responded"] = True
        return True
