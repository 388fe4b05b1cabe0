"""The gateway half of the Discord fake: HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, RESUME, dispatch."""

from __future__ import annotations

import json
import zlib
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from tests.fakes._server import RecordedRequest, RequestJournal
from tests.fakes.discord_payloads import apply_message_intents, member_payload, now_iso

_OP_NAMES = {1: "HEARTBEAT", 2: "IDENTIFY", 3: "PRESENCE_UPDATE", 6: "RESUME", 8: "REQUEST_GUILD_MEMBERS"}


class _GatewaySession:
    def __init__(self, socket: web.WebSocketResponse, *, zlib_stream: bool) -> None:
        self.socket = socket
        self.compressor = zlib.compressobj() if zlib_stream else None
        self.sequence = 0
        self.intents = 0
        self.ready = False

    async def send(self, payload: dict[str, Any]) -> None:
        text = json.dumps(payload)
        if self.compressor is None:
            await self.socket.send_str(text)
            return
        chunk = self.compressor.compress(text.encode()) + self.compressor.flush(zlib.Z_SYNC_FLUSH)
        await self.socket.send_bytes(chunk)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        self.sequence += 1
        await self.send({"op": 0, "t": event, "s": self.sequence, "d": data})


class GatewayMixin:
    """Gateway sessions of :class:`tests.fakes.discord.FakeDiscord` (which provides the attributes below)."""

    token: str
    heartbeat_interval_ms: int
    journal: RequestJournal
    bot_user: dict[str, Any]
    guild_id: str
    channel_id: str
    general_channel_id: str
    owner: dict[str, Any]
    gateway_url: str
    application_id: str
    _sessions: list[_GatewaySession]
    _queued: list[tuple[str, dict[str, Any]]]

    if TYPE_CHECKING:  # provided by FakeDiscord

        def snowflake(self) -> str: ...

        def _channel(self, channel_id: str, guild: str | None, user: dict[str, Any]) -> dict[str, Any]: ...

    def _guild_create(self) -> dict[str, Any]:
        everyone = {
            "id": self.guild_id,
            "name": "@everyone",
            "permissions": "2248473465835073",
            "position": 0,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        channels = [
            self._channel(self.channel_id, self.guild_id, self.bot_user),
            self._channel(self.general_channel_id, self.guild_id, self.bot_user),
        ]
        for channel in channels:
            channel.pop("guild_id")
        return {
            "id": self.guild_id,
            "name": "Tradehub Test",
            "icon": None,
            "owner_id": self.owner["id"],
            "roles": [everyone],
            "channels": channels,
            "members": [member_payload(self.bot_user)],
            "member_count": 2,
            "large": False,
            "unavailable": False,
            "joined_at": now_iso(),
            "features": [],
            "emojis": [],
            "stickers": [],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "preferred_locale": "en-US",
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "system_channel_id": None,
            "application_id": None,
        }

    async def _handle_gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await socket.prepare(request)
        session = _GatewaySession(socket, zlib_stream=request.query.get("compress") == "zlib-stream")
        self._sessions.append(session)
        await session.send(
            {
                "op": 10,
                "s": None,
                "t": None,
                "d": {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["fake-gateway"]},
            }
        )
        try:
            async for frame in socket:
                if frame.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    await self._on_gateway_frame(request, session, json.loads(frame.data))
        finally:
            self._sessions.remove(session)
        return socket

    async def _on_gateway_frame(self, request: web.Request, session: _GatewaySession, frame: dict[str, Any]) -> None:
        op = frame.get("op")
        self.journal.record(
            RecordedRequest(
                name=f"gateway.{_OP_NAMES.get(op, op)}",
                http_method="WS",
                path=request.path,
                query=dict(request.query),
                headers={},
                body=frame,
                files={},
                raw=json.dumps(frame).encode(),
                status=200,
                response=None,
            )
        )
        if op == 1:
            await session.send({"op": 11, "s": None, "t": None, "d": None})
        elif op == 2:
            await self._identify(session, frame["d"])
        elif op == 6:
            session.sequence = frame["d"].get("seq") or 0
            await self._become_ready(session, "RESUMED", {"_trace": ["fake-gateway"]})
        elif op == 8:
            chunk = {
                "guild_id": frame["d"]["guild_id"],
                "members": [member_payload(self.bot_user)],
                "chunk_index": 0,
                "chunk_count": 1,
                "nonce": frame["d"].get("nonce"),
            }
            await session.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    async def _identify(self, session: _GatewaySession, identify: dict[str, Any]) -> None:
        if identify.get("token") != self.token:
            await session.socket.close(code=4004, message=b"Authentication failed.")
            return
        session.intents = int(identify.get("intents", 0))
        ready = {
            "v": 10,
            "user": self.bot_user,
            "guilds": [{"id": self.guild_id, "unavailable": True}],
            "session_id": f"session-{self.snowflake()}",
            "resume_gateway_url": self.gateway_url,
            "shard": identify.get("shard", [0, 1]),
            "application": {"id": self.application_id, "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "_trace": ["fake-gateway"],
        }
        await session.dispatch("READY", ready)
        await self._become_ready(session, "GUILD_CREATE", self._guild_create())

    async def _become_ready(self, session: _GatewaySession, event: str, data: dict[str, Any]) -> None:
        await session.dispatch(event, data)
        session.ready = True
        queued, self._queued = self._queued, []
        for queued_event, queued_data in queued:
            await self._dispatch(queued_event, queued_data)

    async def _dispatch(self, event: str, data: dict[str, Any]) -> None:
        sessions = [session for session in self._sessions if session.ready]
        if not sessions:
            self._queued.append((event, data))
            return
        session = sessions[-1]
        if event == "MESSAGE_CREATE":
            data = apply_message_intents(data, session.intents, self.bot_user["id"])
            if data is None:
                return
        await session.dispatch(event, data)

    async def _close_sessions(self) -> None:
        for session in list(self._sessions):
            await session.socket.close(code=1001)
