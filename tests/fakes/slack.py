"""A local fake of the Slack Web API (https://api.slack.com/methods) and its Socket Mode websocket.

Point slack_sdk at it with ``AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)`` and hand that
client to ``AsyncApp(client=...)``. Calls are ``POST /api/<method>`` with the token in the
``Authorization: Bearer`` header, parameters in the query string, a urlencoded/multipart form or a JSON
body; answers are ``{"ok": true, ...}`` or ``{"ok": false, "error": "..."}`` like Slack's, with HTTP 429 and
``Retry-After`` when rate limited.

Socket Mode: ``apps.connections.open`` (app-level ``xapp-`` token) returns a ``ws://`` URL on this fake;
on connect the fake sends ``hello``; :meth:`FakeSlack.push_event`, :meth:`push_slash_command` and
:meth:`push_block_action` send envelopes, and the client's acknowledgements are recorded as
``socket_mode.ack`` (wait with :meth:`FakeSlack.wait_for_ack`). ``response_url`` posts land on the fake too.
For HTTP mode, :func:`signed_headers` signs a request body like Slack does.

Modules: this one holds the workspace, the test-facing API (events, commands, button presses), the
HTTP layer and Socket Mode; ``slack_methods`` the Web API methods, ``slack_payloads`` Slack's error
answers, request signing and the Block Kit checks.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes._server import (
    BackgroundServer,
    FailurePlan,
    FakeService,
    InjectedFailure,
    RecordedRequest,
    RequestJournal,
    header_dict,
    json_response,
    parse_body,
)
from tests.fakes.slack_methods import MethodsMixin
from tests.fakes.slack_payloads import (
    MethodHandler,
    Params,
    SlackApiFailure,
    block_kit_problems,
    decode_param,
    http_body,
    injected_failure_answer,
    signed_headers,
    token_of,
)

BOT_TOKEN = "xoxb-1-fake-bot-token"
APP_TOKEN = "xapp-1-A0APP-1-fake-app-token"
__all__ = [
    "APP_TOKEN",
    "BOT_TOKEN",
    "FakeSlack",
    "SlackApiFailure",
    "block_kit_problems",
    "http_body",
    "signed_headers",
]


class FakeSlack(MethodsMixin, FakeService):
    """One Slack workspace with one installed app."""

    def __init__(
        self,
        *,
        bot_token: str = BOT_TOKEN,
        app_token: str = APP_TOKEN,
        team_id: str = "T0TEAM",
        bot_user_id: str = "U0BOT",
    ) -> None:
        self.bot_token, self.app_token = bot_token, app_token
        self.team_id, self.bot_user_id = team_id, bot_user_id
        self.bot_id, self.app_id = "B0BOT", "A0APP"
        self.journal = RequestJournal()
        self.failures = FailurePlan()
        self.uploaded: dict[str, bytes] = {}
        self.pushed_at: dict[str, float] = {}  # envelope id -> time.monotonic() when it was sent
        self._files: dict[str, dict[str, Any]] = {}
        self._messages: dict[tuple[str, str], dict[str, Any]] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._undelivered: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self._methods: dict[str, MethodHandler] = self._method_table()
        self._server = BackgroundServer(self._build_app(), on_shutdown=self._close_sockets)

    # ----------------------------------------------------------------- lifecycle and addresses

    @property
    def api_url(self) -> str:
        """Value for ``AsyncWebClient(base_url=...)`` (like ``https://slack.com/api/``)."""
        return f"{self._server.base_url}/api/"

    # ----------------------------------------------------------------- test-facing API

    async def wait_for_ack(self, envelope_id: str, *, timeout: float = 30.0) -> RecordedRequest:
        """The client's Socket Mode acknowledgement of ``envelope_id`` (its ``body`` is the ack frame).

        ``ack.at - fake.pushed_at[envelope_id]`` is the acknowledgement latency (Slack allows 3 s).
        """
        return await self.journal.wait_for(
            "socket_mode.ack", predicate=lambda entry: entry.body.get("envelope_id") == envelope_id, timeout=timeout
        )

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        times: int = 1,
        retry_after: int | None = None,
        error: str | None = None,
    ) -> None:
        """Fail the next ``times`` calls: 429 + ``Retry-After``, a 5xx, or ``status=200`` with ``error``."""
        if status == 429 and retry_after is None:
            retry_after = 1
        self.failures.add(method, InjectedFailure(status, retry_after, error), times=times)

    def push_envelope(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
        accepts_response_payload: bool = False,
    ) -> str:
        """Send a Socket Mode envelope (delivered when a client connects, if none is yet); return its id."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": envelope_type,
            "accepts_response_payload": accepts_response_payload,
        }
        if envelope_type == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        self.pushed_at[envelope_id] = time.monotonic()
        self._server.run(self._deliver(envelope))
        return envelope_id

    def push_event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry_attempt: int = 0, retry_reason: str = ""
    ) -> str:
        """Send an Events API ``event_callback`` wrapping ``event``; a resend reuses ``event_id``."""
        payload = self.event_callback(event, event_id=event_id)
        return self.push_envelope("events_api", payload, retry_attempt=retry_attempt, retry_reason=retry_reason)

    def event_callback(self, event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
        """The Events API ``event_callback`` body Slack sends for ``event`` (HTTP mode or Socket Mode)."""
        now = time.time()
        event = {"event_ts": f"{now:.6f}", **event}
        payload = {
            "token": "fake-verification-token",
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "api_app_id": self.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._counter):08d}",
            "event_time": int(now),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-fake-{self.team_id}",
        }
        return payload

    def push_message_event(
        self, text: str, *, user: str = "U0TRADER", channel: str = "D0DM", channel_type: str = "im", **extra: Any
    ) -> str:
        """A ``message`` event (a direct message by default)."""
        return self.push_event(self.message_event(text, user=user, channel=channel, channel_type=channel_type, **extra))

    def message_event(
        self, text: str, *, user: str = "U0TRADER", channel: str = "D0DM", channel_type: str = "im", **extra: Any
    ) -> dict[str, Any]:
        """The inner ``message`` event of :meth:`push_message_event`."""
        return {
            "type": "message",
            "user": user,
            "text": text,
            "ts": self._ts(),
            "channel": channel,
            "channel_type": channel_type,
            "team": self.team_id,
            **extra,
        }

    def push_app_mention(self, text: str, *, user: str = "U0TRADER", channel: str = "C0TEAM", **extra: Any) -> str:
        """An ``app_mention`` event; ``text`` follows the ``<@BOT>`` mention Slack puts first."""
        return self.push_event(self.app_mention_event(text, user=user, channel=channel, **extra))

    def app_mention_event(
        self, text: str, *, user: str = "U0TRADER", channel: str = "C0TEAM", **extra: Any
    ) -> dict[str, Any]:
        """The inner ``app_mention`` event of :meth:`push_app_mention`."""
        return {
            "type": "app_mention",
            "user": user,
            "text": f"<@{self.bot_user_id}> {text}",
            "ts": self._ts(),
            "channel": channel,
            "team": self.team_id,
            **extra,
        }

    def push_slash_command(
        self, text: str, *, command: str = "/trade", user_id: str = "U0TRADER", channel_id: str = "C0TEAM"
    ) -> str:
        """A slash command invocation; its ``response_url`` points back at this fake."""
        payload = self.slash_command(text, command=command, user_id=user_id, channel_id=channel_id)
        return self.push_envelope("slash_commands", payload, accepts_response_payload=True)

    def slash_command(
        self, text: str, *, command: str = "/trade", user_id: str = "U0TRADER", channel_id: str = "C0TEAM"
    ) -> dict[str, str]:
        """The slash command payload of :meth:`push_slash_command` (HTTP mode posts it form-encoded)."""
        number = next(self._counter)
        payload = {
            "token": "fake-verification-token",
            "team_id": self.team_id,
            "team_domain": "tradehub-test",
            "channel_id": channel_id,
            "channel_name": "trading" if channel_id.startswith("C") else "directmessage",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.app_id,
            "is_enterprise_install": "false",
            "response_url": f"{self._server.base_url}/response-url/{number}",
            "trigger_id": f"{number}.fake.trigger",
        }
        return payload

    def push_block_action(self, action_id: str, value: str, **options: Any) -> str:
        """A Block Kit button press on ``message`` (e.g. a recorded ``chat.postMessage`` result).

        ``options`` are those of :meth:`block_action` (``user_id``, ``channel_id``, ``message``, ...).
        """
        return self.push_envelope("interactive", self.block_action(action_id, value, **options))

    def block_action(
        self,
        action_id: str,
        value: str,
        *,
        user_id: str = "U0TRADER",
        channel_id: str = "C0TEAM",
        message: dict[str, Any] | None = None,
        block_id: str = "actions",
        is_ephemeral: bool = False,
    ) -> dict[str, Any]:
        """The ``block_actions`` payload of :meth:`push_block_action` (HTTP mode posts it as ``payload=``)."""
        number = next(self._counter)
        message = message or {"type": "message", "ts": self._ts(), "text": "", "blocks": []}
        payload = {
            "type": "block_actions",
            "user": {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": self.team_id},
            "api_app_id": self.app_id,
            "token": "fake-verification-token",
            "container": {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": channel_id,
                "is_ephemeral": is_ephemeral,
            },
            "trigger_id": f"{number}.fake.trigger",
            "team": {"id": self.team_id, "domain": "tradehub-test"},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel_id, "name": "trading"},
            "message": message,
            "state": {"values": {}},
            "response_url": f"{self._server.base_url}/response-url/{number}",
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "type": "button",
                    "text": {"type": "plain_text", "text": value, "emoji": True},
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return payload

    def request_reconnect(self, reason: str = "refresh_requested") -> None:
        """Send ``disconnect`` like Slack does before rotating a connection; the client reconnects."""
        frame = {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}}
        self._server.run(self._broadcast(frame))

    # ----------------------------------------------------------------- HTTP layer
    def _build_app(self) -> web.Application:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_method)
        app.router.add_post("/upload/v1/{file_id}", self._handle_upload)
        app.router.add_post("/response-url/{number}", self._handle_response_url)
        app.router.add_get("/socket-mode/link", self._handle_socket)
        return app

    async def _handle_method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        parsed = await parse_body(request)
        params = {**dict(request.query), **parsed.fields}
        params = {key: decode_param(key, value) for key, value in params.items()}
        token = token_of(request, params)
        status, payload, headers = await self._answer(method, token, params)
        self.journal.record(
            RecordedRequest(
                name=method,
                http_method=request.method,
                path=request.path,
                query=dict(request.query),
                headers=header_dict(request),
                body=params,
                files=parsed.files,
                raw=parsed.raw,
                status=status,
                response=payload,
            )
        )
        return json_response(payload, status=status, headers=headers)

    async def _answer(self, method: str, token: str | None, params: Params) -> tuple[int, Any, dict[str, str]]:
        failure = self.failures.take(method)
        if failure is not None:
            return injected_failure_answer(failure)
        handler = self._methods.get(method)
        if handler is None:
            return 404, {"ok": False, "error": "unknown_method"}, {}
        try:
            self._check_token(method, token)
            result = await handler(params)
        except SlackApiFailure as failure_answer:
            return failure_answer.status, failure_answer.payload(), {}
        return 200, {"ok": True, **result}, {}

    def _check_token(self, method: str, token: str | None) -> None:
        if not token:
            raise SlackApiFailure("not_authed")
        if token not in (self.bot_token, self.app_token):
            raise SlackApiFailure("invalid_auth")
        needs_app_token = method == "apps.connections.open"
        if needs_app_token != (token == self.app_token):
            raise SlackApiFailure("not_allowed_token_type")

    async def _handle_upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        parsed = await parse_body(request)
        data = next(iter(parsed.files.values())).data if parsed.files else parsed.raw
        known = file_id in self._files
        if known:
            self.uploaded[file_id] = data
        status = 200 if known else 404
        self.journal.record(
            RecordedRequest(
                name="file.upload",
                http_method="POST",
                path=request.path,
                query={},
                headers=header_dict(request),
                body={"file_id": file_id},
                files=parsed.files,
                raw=data,
                status=status,
                response=None,
            )
        )
        return web.Response(text=f"OK - {len(data)}" if known else "not found", status=status)

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        parsed = await parse_body(request)
        invalid = "blocks" in parsed.fields and block_kit_problems(parsed.fields["blocks"])
        status, answer = (400, "invalid_blocks") if invalid else (200, "ok")
        self.journal.record(
            RecordedRequest(
                name="response_url",
                http_method="POST",
                path=request.path,
                query={},
                headers=header_dict(request),
                body=parsed.fields,
                files={},
                raw=parsed.raw,
                status=status,
                response=answer,
            )
        )
        return web.Response(text=answer, status=status)

    # ----------------------------------------------------------------- Socket Mode
    async def _handle_socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._sockets.append(socket)
        hello = {
            "type": "hello",
            "num_connections": len(self._sockets),
            "debug_info": {"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }
        await socket.send_json(hello)
        undelivered, self._undelivered = self._undelivered, []
        for envelope in undelivered:
            await socket.send_json(envelope)
        try:
            async for frame in socket:
                if frame.type == WSMsgType.TEXT:
                    self._record_ack(request, frame.data)
        finally:
            self._sockets.remove(socket)
        return socket

    def _record_ack(self, request: web.Request, text: str) -> None:
        body = json.loads(text)
        self.journal.record(
            RecordedRequest(
                name="socket_mode.ack",
                http_method="WS",
                path=request.path,
                query=dict(request.query),
                headers={},
                body=body,
                files={},
                raw=text.encode(),
                status=200,
                response=None,
            )
        )

    async def _deliver(self, envelope: dict[str, Any]) -> None:
        if not self._sockets:
            self._undelivered.append(envelope)
            return
        await self._sockets[-1].send_json(envelope)

    async def _broadcast(self, frame: dict[str, Any]) -> None:
        for socket in list(self._sockets):
            await socket.send_json(frame)

    async def _close_sockets(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
