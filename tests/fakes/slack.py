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
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.parse
import uuid
from collections.abc import Awaitable, Callable
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

BOT_TOKEN = "xoxb-1-fake-bot-token"
APP_TOKEN = "xapp-1-A0APP-1-fake-app-token"
_JSON_PARAMS = frozenset({"blocks", "attachments", "files", "metadata", "view"})
Params = dict[str, Any]
MethodHandler = Callable[[Params], Awaitable[dict[str, Any]]]


class SlackApiFailure(Exception):
    """An ``ok: false`` answer."""

    def __init__(self, error: str, status: int = 200, *, details: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.details = details or []

    def payload(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"ok": False, "error": self.error}
        if self.details:
            answer["errors"] = self.details
            answer["response_metadata"] = {"messages": [f"[ERROR] {detail}" for detail in self.details]}
        return answer


def signed_headers(body: bytes, *, signing_secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack sends with an HTTP-mode request: ``X-Slack-Request-Timestamp`` and ``X-Slack-Signature``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    base = b"v0:" + stamp.encode() + b":" + body
    digest = hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def http_body(payload: dict[str, Any]) -> tuple[bytes, str]:
    """Encode a payload the way Slack POSTs it to a request URL in HTTP mode: ``(body, content type)``.

    Events API callbacks (and the URL verification challenge) are JSON, slash commands are form fields,
    interactions are ``payload=<json>``.
    """
    if payload.get("type") in ("event_callback", "url_verification"):
        return json.dumps(payload).encode(), "application/json"
    if "command" in payload:
        return urllib.parse.urlencode(payload).encode(), "application/x-www-form-urlencoded"
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"


class FakeSlack(FakeService):
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

    async def wait_for_ack(self, envelope_id: str, *, timeout: float = 5.0) -> RecordedRequest:
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
        params = {key: _decode_param(key, value) for key, value in params.items()}
        token = _token_of(request, params)
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
            return _failure_answer(failure)
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

    # ----------------------------------------------------------------- Web API methods
    def _method_table(self) -> dict[str, MethodHandler]:
        return {
            "auth.test": self._auth_test,
            "apps.connections.open": self._connections_open,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "files.getUploadURLExternal": self._get_upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "files.info": self._files_info,
        }

    async def _auth_test(self, _params: Params) -> dict[str, Any]:
        return {
            "url": "https://tradehub-test.slack.com/",
            "team": "Tradehub Test",
            "user": "tradehub",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    async def _connections_open(self, _params: Params) -> dict[str, Any]:
        ticket = uuid.uuid4().hex
        return {"url": f"{self._server.ws_base_url}/socket-mode/link?ticket={ticket}&app_id={self.app_id}"}

    async def _post_message(self, params: Params) -> dict[str, Any]:
        channel = self._require_channel(params)
        if channel.startswith(("U", "W")):  # a user id posts to the app's DM with that user
            channel = "D" + channel[1:]
        message = self._message(params)
        self._messages[(channel, message["ts"])] = message
        return {"channel": channel, "ts": message["ts"], "message": message}

    async def _post_ephemeral(self, params: Params) -> dict[str, Any]:
        self._require_channel(params)
        if not params.get("user"):
            raise SlackApiFailure("user_not_in_channel")
        return {"message_ts": self._message(params)["ts"]}

    async def _chat_update(self, params: Params) -> dict[str, Any]:
        channel = self._require_channel(params)
        key = (channel, str(params.get("ts", "")))
        if key not in self._messages:
            raise SlackApiFailure("message_not_found")
        message = {**self._message(params), "ts": key[1], "edited": {"user": self.bot_user_id, "ts": self._ts()}}
        self._messages[key] = message
        return {"channel": channel, "ts": key[1], "text": message.get("text", ""), "message": message}

    async def _chat_delete(self, params: Params) -> dict[str, Any]:
        channel = self._require_channel(params)
        if self._messages.pop((channel, str(params.get("ts", ""))), None) is None:
            raise SlackApiFailure("message_not_found")
        return {"channel": channel, "ts": params["ts"]}

    async def _conversations_open(self, params: Params) -> dict[str, Any]:
        users = str(params.get("users", ""))
        if not users:
            raise SlackApiFailure("users_list_not_supplied")
        return {"no_op": False, "already_open": False, "channel": {"id": "D" + users.replace(",", "")[1:]}}

    async def _users_info(self, params: Params) -> dict[str, Any]:
        user = str(params.get("user", ""))
        if not user.startswith(("U", "W")):
            raise SlackApiFailure("user_not_found")
        profile = {"real_name": f"User {user}", "display_name": user.lower()}
        return {
            "user": {
                "id": user,
                "team_id": self.team_id,
                "name": user.lower(),
                "is_bot": False,
                "tz": "UTC",
                "profile": profile,
            }
        }

    async def _get_upload_url(self, params: Params) -> dict[str, Any]:
        if not params.get("filename") or not str(params.get("length", "")).isdigit():
            raise SlackApiFailure("invalid_arguments")
        file_id = f"F{next(self._counter):08d}"
        self._files[file_id] = {"id": file_id, "name": params["filename"], "size": int(params["length"])}
        return {"upload_url": f"{self._server.base_url}/upload/v1/{file_id}", "file_id": file_id}

    async def _complete_upload(self, params: Params) -> dict[str, Any]:
        entries = params.get("files")
        if not isinstance(entries, list) or not entries:
            raise SlackApiFailure("invalid_arguments")
        completed = []
        for entry in entries:
            file_id = entry.get("id")
            if file_id not in self.uploaded:
                raise SlackApiFailure("file_not_found")
            channel = params.get("channel_id")
            info = {**self._files[file_id], "title": entry.get("title") or self._files[file_id]["name"]}
            info["channels"] = [channel] if channel else []
            self._files[file_id] = info
            completed.append(info)
        return {"files": completed}

    async def _files_info(self, params: Params) -> dict[str, Any]:
        file_id = str(params.get("file", ""))
        if file_id not in self._files:
            raise SlackApiFailure("file_not_found")
        return {"file": self._files[file_id]}

    # ----------------------------------------------------------------- helpers
    def _require_channel(self, params: Params) -> str:
        channel = str(params.get("channel", ""))
        if not channel:
            raise SlackApiFailure("channel_not_found")
        return channel

    def _message(self, params: Params) -> dict[str, Any]:
        if not any(params.get(key) for key in ("text", "blocks", "attachments")):
            raise SlackApiFailure("no_text")
        if "blocks" in params:
            problems = block_kit_problems(params["blocks"])
            if problems:
                raise SlackApiFailure("invalid_blocks", details=problems)
        if len(str(params.get("text", ""))) > 40_000:
            raise SlackApiFailure("msg_too_long")
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "ts": self._ts(),
            "text": params.get("text", ""),
        }
        for key in ("blocks", "attachments", "thread_ts"):
            if params.get(key):
                message[key] = params[key]
        return message

    def _ts(self) -> str:
        with self._lock:
            return f"{int(time.time())}.{next(self._counter):06d}"


_BLOCK_TYPES = frozenset(
    {
        "section",
        "actions",
        "context",
        "divider",
        "header",
        "image",
        "input",
        "rich_text",
        "file",
        "video",
        "markdown",
    }
)


def block_kit_problems(blocks: Any) -> list[str]:
    """What Slack would report for these blocks (a subset of its checks: shape, types, lengths)."""
    if not isinstance(blocks, list):
        return ["must be an array [json-pointer:/blocks]"]
    problems = [] if len(blocks) <= 50 else ["must contain at most 50 items [json-pointer:/blocks]"]
    block_ids = set()
    for index, block in enumerate(blocks):
        where = f"/blocks/{index}"
        if not isinstance(block, dict) or block.get("type") not in _BLOCK_TYPES:
            problems.append(f"unsupported type [json-pointer:{where}/type]")
            continue
        if block.get("block_id") in block_ids:
            problems.append(f"duplicate block_id [json-pointer:{where}/block_id]")
        block_ids.add(block.get("block_id") or f"auto-{index}")
        problems.extend(_block_problems(block, where))
    return problems


def _block_problems(block: dict[str, Any], where: str) -> list[str]:
    kind = block["type"]
    if kind == "header":
        return _text_problems(block.get("text"), f"{where}/text", limit=150, plain_only=True)
    if kind == "section":
        if "text" not in block and "fields" not in block:
            return [f"must provide text or fields [json-pointer:{where}]"]
        problems = _text_problems(block["text"], f"{where}/text", limit=3000) if "text" in block else []
        for number, field in enumerate(block.get("fields", [])):
            problems += _text_problems(field, f"{where}/fields/{number}", limit=2000)
        if "accessory" in block:
            problems += _element_problems(block["accessory"], f"{where}/accessory")
        return problems
    if kind == "actions":
        elements = block.get("elements") or []
        problems = [] if 1 <= len(elements) <= 25 else [f"must contain 1 to 25 items [json-pointer:{where}/elements]"]
        for number, element in enumerate(elements):
            problems += _element_problems(element, f"{where}/elements/{number}")
        return problems
    if kind == "context" and not 1 <= len(block.get("elements") or []) <= 10:
        return [f"must contain 1 to 10 items [json-pointer:{where}/elements]"]
    has_image = block.get("image_url") or block.get("slack_file")
    if kind == "image" and not (has_image and block.get("alt_text")):
        return [f"must provide image_url and alt_text [json-pointer:{where}]"]
    return []


def _element_problems(element: Any, where: str) -> list[str]:
    if not isinstance(element, dict) or not element.get("type"):
        return [f"must be an element object [json-pointer:{where}]"]
    problems = []
    if len(str(element.get("action_id", ""))) > 255:
        problems.append(f"must be less than 256 characters [json-pointer:{where}/action_id]")
    if element["type"] == "button":
        problems += _text_problems(element.get("text"), f"{where}/text", limit=75, plain_only=True)
        if len(str(element.get("value", ""))) > 2000:
            problems.append(f"must be less than 2001 characters [json-pointer:{where}/value]")
        if element.get("style") not in (None, "primary", "danger"):
            problems.append(f"must be one of primary, danger [json-pointer:{where}/style]")
    return problems


def _text_problems(text: Any, where: str, *, limit: int, plain_only: bool = False) -> list[str]:
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if not isinstance(text, dict) or text.get("type") not in allowed:
        return [f"must be a {' or '.join(allowed)} text object [json-pointer:{where}]"]
    body = text.get("text")
    if not isinstance(body, str) or not body:
        return [f"must be more than 0 characters [json-pointer:{where}/text]"]
    if len(body) > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{where}/text]"]
    return []


def _token_of(request: web.Request, params: Params) -> str | None:
    authorization = request.headers.get("Authorization", "")
    if authorization.startswith("Bearer "):
        return authorization.removeprefix("Bearer ")
    token = params.get("token")
    return str(token) if token else None


def _decode_param(key: str, value: Any) -> Any:
    if key in _JSON_PARAMS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _failure_answer(failure: InjectedFailure) -> tuple[int, dict[str, Any], dict[str, str]]:
    if failure.status == 429:
        retry_after = str(int(failure.retry_after or 1))
        return 429, {"ok": False, "error": failure.error or "ratelimited"}, {"Retry-After": retry_after}
    if failure.status >= 500:
        return failure.status, {"ok": False, "error": failure.error or "fatal_error"}, {}
    return failure.status, {"ok": False, "error": failure.error or "internal_error"}, {}
