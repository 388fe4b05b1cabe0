"""A local fake of the Discord REST API (v10), gateway and HTTP interaction delivery, for discord.py.

Point discord.py at it by setting ``discord.http.Route.BASE = fake.api_base`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)`` (the
``discord_on_fake`` fixture does both). REST answers carry ``content-type: application/json`` exactly,
``Via`` and ``X-RateLimit-*`` headers, and Discord's error bodies (``{"message", "code"}``; a 429 adds
``retry_after`` and ``global``), because discord.py keys its parsing and retries on them.

Gateway: HELLO (op 10) on connect, IDENTIFY (op 2) answered with READY and one GUILD_CREATE, every
HEARTBEAT (op 1) with HEARTBEAT_ACK (op 11), zlib-stream compression when the client asks for it;
MESSAGE_CREATE honours the identified intents (no GUILD_MESSAGES: not sent; no MESSAGE_CONTENT: content
blanked unless a DM or a mention of the bot). Inject events with :meth:`FakeDiscord.push_slash_command`,
:meth:`push_component` and :meth:`push_message` (or :meth:`dispatch`); frames the client sent are
recorded as ``gateway.IDENTIFY``, ``gateway.HEARTBEAT`` ..., REST calls under their route template
(``CALLBACK``, ``FOLLOWUP``, ``EDIT_ORIGINAL``, ``DELETE_ORIGINAL``, ``CHANNEL_MESSAGE``). HTTP
interactions endpoints: build an interaction with :meth:`http_slash_command` / :meth:`http_component` /
:meth:`ping_interaction` and :meth:`deliver` it, signed, to the app (recorded as ``http.INTERACTION``).

Modules: this one holds the state and the payload builders; ``discord_gateway`` the websocket,
``discord_rest`` the REST routes, ``discord_http`` delivery to an interactions endpoint and
``discord_payloads`` the shared payload shapes and Discord's limits.
"""

from __future__ import annotations

import functools
import itertools
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import nacl.signing

from tests.fakes._server import (
    BackgroundServer,
    FailurePlan,
    FakeService,
    InjectedFailure,
    RecordedRequest,
    RequestJournal,
    UploadedFile,
)
from tests.fakes.discord_gateway import GatewayMixin, _GatewaySession
from tests.fakes.discord_http import HTTP_INTERACTION, HttpInteractionsMixin
from tests.fakes.discord_payloads import (
    ALL_PERMISSIONS,
    member_payload,
    message_form_errors,
    now_iso,
    options_payload,
    user_payload,
)
from tests.fakes.discord_rest import (
    CALLBACK,
    CHANNEL_MESSAGE,
    DELETE_ORIGINAL,
    EDIT_ORIGINAL,
    FOLLOWUP,
    GLOBAL_COMMANDS,
    GUILD_COMMANDS,
    DiscordHTTPError,
    Handler,
    RestMixin,
)

BOT_TOKEN = "ODk5.fake-discord.bot-token"
__all__ = [
    "BOT_TOKEN",
    "CALLBACK",
    "CHANNEL_MESSAGE",
    "DELETE_ORIGINAL",
    "EDIT_ORIGINAL",
    "FOLLOWUP",
    "GLOBAL_COMMANDS",
    "GUILD_COMMANDS",
    "HTTP_INTERACTION",
    "DiscordHTTPError",
    "FakeDiscord",
    "message_form_errors",
]


class FakeDiscord(GatewayMixin, RestMixin, HttpInteractionsMixin, FakeService):
    """One application with a bot user, one guild with a #trading and a #general text channel."""

    def __init__(self, *, token: str = BOT_TOKEN, heartbeat_interval_ms: int = 41_250) -> None:
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.interaction_deadline_s = 3.0  # an initial response after this is refused, as on Discord
        self.journal = RequestJournal()
        self.failures = FailurePlan()
        self.signing_key = nacl.signing.SigningKey(b"\x07" * 32)
        self.public_key = self.signing_key.verify_key.encode().hex()
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self.application_id = self.snowflake()
        self.bot_user = user_payload(self.snowflake(), "tradehub", bot=True)
        self.guild_id, self.channel_id, self.general_channel_id = self.snowflake(), self.snowflake(), self.snowflake()
        self.owner = user_payload(self.snowflake(), "owner")
        self.commands: dict[str | None, list[dict[str, Any]]] = {}
        self._interactions: dict[str, dict[str, Any]] = {}
        self._messages: dict[str, dict[str, Any]] = {}
        self._sessions: list[_GatewaySession] = []
        self._queued: list[tuple[str, dict[str, Any]]] = []
        self._routes: dict[tuple[str, str], Handler] = self._route_table()
        self._server = BackgroundServer(self._build_app(), on_shutdown=self._close_sessions)

    # ----------------------------------------------------------------- lifecycle and addresses

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE`` (like ``https://discord.com/api/v10``)."""
        return f"{self._server.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Value for ``DiscordWebSocket.DEFAULT_GATEWAY`` (wrap in ``yarl.URL``)."""
        return f"{self._server.ws_base_url}/gateway/"

    def snowflake(self) -> str:
        with self._lock:
            millis = int(time.time() * 1000) - 1_420_070_400_000
            return str((millis << 22) | (next(self._counter) & 0x3FFFFF))

    # ----------------------------------------------------------------- test-facing API

    async def wait_until_identified(self, *, timeout: float = 30.0) -> RecordedRequest:
        return await self.journal.wait_for("gateway.IDENTIFY", timeout=timeout)

    def fail_next(
        self,
        route: str,
        *,
        status: int = 429,
        times: int = 1,
        retry_after: float | None = None,
        message: str | None = None,
    ) -> None:
        """Fail the next ``times`` calls of ``route`` (a template such as ``CHANNEL_MESSAGE``)."""
        if status == 429 and retry_after is None:
            retry_after = 0.1
        self.failures.add(route, InjectedFailure(status, retry_after, message), times=times)

    def sign_interaction(self, body: bytes, *, timestamp: str | None = None) -> dict[str, str]:
        """Headers Discord sends to an HTTP interactions endpoint; verify with :attr:`public_key`."""
        stamp = timestamp or str(int(time.time()))
        signature = self.signing_key.sign(stamp.encode() + body).signature.hex()
        return {"X-Signature-Ed25519": signature, "X-Signature-Timestamp": stamp}

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a DISPATCH (op 0) to the identified client, or queue it until IDENTIFY."""
        self._server.run(self._dispatch(event, data))

    def push_slash_command(
        self,
        name: str,
        options: Mapping[str, Any] | list[dict[str, Any]] | None = None,
        *,
        user_id: str | None = None,
        guild_id: str | None = "default",
        channel_id: str | None = None,
        interaction_id: str | None = None,
        roles: list[str] | None = None,
    ) -> dict[str, Any]:
        """INTERACTION_CREATE for a registered slash command; ``guild_id=None`` means a DM with the bot.

        Pass an ``interaction_id`` seen before to model a redelivery. Returns the interaction payload.
        """
        build = functools.partial(
            self._slash_interaction, name, options, user_id, guild_id, channel_id, interaction_id, roles
        )
        return self._server.run(self._build_and_dispatch(build))

    async def _build_and_dispatch(self, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        interaction = build()  # on the server loop, like every change to the fake's state
        await self._dispatch("INTERACTION_CREATE", interaction)
        return interaction

    def _slash_interaction(
        self,
        name: str,
        options: Mapping[str, Any] | list[dict[str, Any]] | None,
        user_id: str | None,
        guild_id: str | None,
        channel_id: str | None,
        interaction_id: str | None,
        roles: list[str] | None,
        *,
        registered_only: bool = True,
    ) -> dict[str, Any]:
        guild = self.guild_id if guild_id == "default" else guild_id
        try:
            command, registered_in = self._registered_command(name, guild)
        except ValueError:
            if registered_only:
                raise
            command, registered_in = {"id": self.snowflake()}, None  # HTTP-only apps register out of band
        data: dict[str, Any] = {"id": command["id"], "name": name, "type": 1, "options": options_payload(options)}
        if registered_in is not None:
            data["guild_id"] = registered_in
        return self._interaction(2, data, user_id, guild, channel_id, interaction_id, roles)

    def push_component(
        self,
        custom_id: str,
        *,
        message: dict[str, Any],
        user_id: str | None = None,
        component_type: int = 2,
        values: list[str] | None = None,
    ) -> dict[str, Any]:
        """INTERACTION_CREATE for a button (or select) press on ``message``, a message the bot sent."""
        build = functools.partial(
            self._component_interaction, custom_id, message, user_id, component_type, values, None
        )
        return self._server.run(self._build_and_dispatch(build))

    def _component_interaction(
        self,
        custom_id: str,
        message: dict[str, Any],
        user_id: str | None,
        component_type: int,
        values: list[str] | None,
        interaction_id: str | None,
    ) -> dict[str, Any]:
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        in_guild = message["channel_id"] in (self.channel_id, self.general_channel_id)
        guild = self.guild_id if in_guild else None
        interaction = self._interaction(3, data, user_id, guild, message["channel_id"], interaction_id, None)
        interaction["message"] = message
        self._interactions[interaction["id"]]["source"] = self._messages.get(message["id"], message)
        return interaction

    def push_message(
        self,
        content: str,
        *,
        author_id: str | None = None,
        channel_id: str | None = None,
        guild_id: str | None = "default",
        mention_bot: bool = False,
    ) -> dict[str, Any]:
        """MESSAGE_CREATE from a user; ``guild_id=None`` means a DM with the bot."""
        return self._server.run(self._push_message(content, author_id, channel_id, guild_id, mention_bot))

    async def _push_message(
        self,
        content: str,
        author_id: str | None,
        channel_id: str | None,
        guild_id: str | None,
        mention_bot: bool,
    ) -> dict[str, Any]:
        author = user_payload(author_id or "100000000000000001", "trader")
        guild = self.guild_id if guild_id == "default" else guild_id
        channel = channel_id or (self.channel_id if guild else self._dm_id(author["id"]))
        message = self._message(channel, {"content": content}, author=author)
        if guild:
            message["guild_id"] = guild
            message["member"] = member_payload(None)
        if mention_bot:
            message["mentions"] = [self.bot_user]
            message["content"] = f"<@{self.bot_user['id']}> {content}"
        await self._dispatch("MESSAGE_CREATE", message)
        return message

    def request_reconnect(self) -> None:
        """Send RECONNECT (op 7) like Discord does before moving a session; the client RESUMEs (op 6)."""
        self._server.run(self._request_reconnect())

    async def _request_reconnect(self) -> None:
        for session in [session for session in self._sessions if session.ready]:
            session.ready = False
            await session.send({"op": 7, "s": None, "t": None, "d": None})

    def interaction_state(self, interaction_id: str) -> dict[str, Any]:
        """What Discord knows of an interaction: ``responded``, ``original`` message, ``followups``."""
        return self._interactions[interaction_id]

    # ----------------------------------------------------------------- payload builders
    def _dm_id(self, user_id: str | None) -> str:
        return str(int(user_id or "100000000000000001") + 7)

    def _registered_command(self, name: str, guild: str | None) -> tuple[dict[str, Any], str | None]:
        for scope in ([guild] if guild else []) + [None]:
            for command in self.commands.get(scope, []):
                if command["name"] == name:
                    return command, scope
        raise ValueError(f"/{name} is not registered with the fake Discord (sync the command tree first)")

    def _channel(self, channel_id: str, guild: str | None, user: dict[str, Any]) -> dict[str, Any]:
        if guild is None:
            return {"id": channel_id, "type": 1, "last_message_id": None, "flags": 0, "recipients": [user]}
        name = "general" if channel_id == self.general_channel_id else "trading"
        return {
            "id": channel_id,
            "type": 0,
            "guild_id": guild,
            "name": name,
            "position": 0,
            "flags": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
        }

    def _interaction(
        self,
        kind: int,
        data: dict[str, Any],
        user_id: str | None,
        guild: str | None,
        channel_id: str | None,
        interaction_id: str | None,
        roles: list[str] | None,
    ) -> dict[str, Any]:
        user = user_payload(user_id or "100000000000000001", "trader")
        channel = channel_id or (self.channel_id if guild else self._dm_id(user["id"]))
        identifier = interaction_id or self.snowflake()
        token = self._interactions[identifier]["token"] if identifier in self._interactions else f"tok-{identifier}"
        interaction: dict[str, Any] = {
            "id": identifier,
            "application_id": self.application_id,
            "type": kind,
            "data": data,
            "token": token,
            "version": 1,
            "channel_id": channel,
            "channel": self._channel(channel, guild, user),
            "locale": "en-US",
            "app_permissions": ALL_PERMISSIONS,
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "context": 0 if guild else 1,
            "authorizing_integration_owners": {"0": guild} if guild else {"1": user["id"]},
        }
        if guild:
            member = member_payload(user, roles)
            interaction.update(guild_id=guild, guild_locale="en-US", member=member)
            interaction["guild"] = {"id": guild, "locale": "en-US", "features": []}
        else:
            interaction["user"] = user
        self._interactions.setdefault(
            identifier,
            {
                "token": token,
                "channel_id": channel,
                "guild_id": guild,
                "type": kind,
                "responded": False,
                "original": None,
                "followups": [],
                "source": None,
                "created_at": time.monotonic(),
            },
        )
        return interaction

    def _message(
        self,
        channel_id: str,
        payload: Mapping[str, Any],
        *,
        author: dict[str, Any] | None = None,
        files: Mapping[str, UploadedFile] | None = None,
    ) -> dict[str, Any]:
        message = {
            "id": self.snowflake(),
            "type": 0,
            "channel_id": channel_id,
            "author": author or self.bot_user,
            "content": payload.get("content") or "",
            "embeds": payload.get("embeds") or [],
            "components": payload.get("components") or [],
            "attachments": self._attachments(payload, files),
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "flags": payload.get("flags") or 0,
        }
        self._messages[message["id"]] = message
        return message

    def _attachments(self, payload: Mapping[str, Any], files: Mapping[str, UploadedFile] | None) -> list[Any]:
        attachments = []
        for index, meta in enumerate(payload.get("attachments") or []):
            upload = (files or {}).get(f"files[{meta.get('id', index)}]")
            if upload is None:
                continue
            identifier = self.snowflake()
            url = f"{self._server.base_url}/attachments/{identifier}/{upload.filename}"
            attachments.append(
                {
                    "id": identifier,
                    "filename": upload.filename,
                    "size": len(upload.data),
                    "url": url,
                    "proxy_url": url,
                    "content_type": upload.content_type,
                }
            )
        return attachments
