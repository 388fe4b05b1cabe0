"""The REST half of the Discord fake: API v10 routes, Discord's error bodies, rate-limit headers, failures."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.fakes._server import (
    FailurePlan,
    ParsedBody,
    RecordedRequest,
    RequestJournal,
    header_dict,
    json_response,
    parse_body,
)
from tests.fakes.discord_payloads import (
    EPHEMERAL,
    LOADING,
    edited_fields,
    failure_answer,
    message_form_errors,
    ratelimit_headers,
    user_payload,
)

CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"
FOLLOWUP = "POST /webhooks/{application_id}/{interaction_token}"
EDIT_ORIGINAL = "PATCH /webhooks/{application_id}/{interaction_token}/messages/{message_id}"
DELETE_ORIGINAL = "DELETE /webhooks/{application_id}/{interaction_token}/messages/{message_id}"
CHANNEL_MESSAGE = "POST /channels/{channel_id}/messages"
GLOBAL_COMMANDS = "PUT /applications/{application_id}/commands"
GUILD_COMMANDS = "PUT /applications/{application_id}/guilds/{guild_id}/commands"
_MESSAGE_ROUTES = frozenset(
    {CALLBACK, FOLLOWUP, EDIT_ORIGINAL, CHANNEL_MESSAGE, "PATCH /channels/{channel_id}/messages/{message_id}"}
)
Handler = Callable[[web.Request, ParsedBody, dict[str, Any]], Awaitable[tuple[int, Any]]]


class DiscordHTTPError(Exception):
    """A JSON error answer ``{"message", "code"}`` with its HTTP status."""

    def __init__(self, status: int, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


class RestMixin:
    """REST routes of :class:`tests.fakes.discord.FakeDiscord` (which provides the attributes below)."""

    token: str
    journal: RequestJournal
    failures: FailurePlan
    application_id: str
    public_key: str
    bot_user: dict[str, Any]
    owner: dict[str, Any]
    guild_id: str
    channel_id: str
    general_channel_id: str
    gateway_url: str
    interaction_deadline_s: float
    commands: dict[str | None, list[dict[str, Any]]]
    _interactions: dict[str, dict[str, Any]]
    _messages: dict[str, dict[str, Any]]
    _routes: dict[tuple[str, str], Handler]

    if TYPE_CHECKING:  # provided by FakeDiscord

        def snowflake(self) -> str: ...

        def _handle_gateway(self, request: web.Request) -> Awaitable[web.WebSocketResponse]: ...

        def _channel(self, channel_id: str, guild: str | None, user: dict[str, Any]) -> dict[str, Any]: ...

        def _dm_id(self, user_id: str | None) -> str: ...

        def _message(
            self, channel_id: str, payload: Any, *, author: Any = None, files: Any = None
        ) -> dict[str, Any]: ...

        def _attachments(self, payload: Any, files: Any) -> list[Any]: ...

    def _build_app(self) -> web.Application:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_get("/gateway/", self._handle_gateway)
        for method, template in self._routes:
            app.router.add_route(method, f"/api/v10{template}", self._handle_rest)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._handle_rest)
        return app

    async def _handle_rest(self, request: web.Request) -> web.Response:
        template = request.match_info.route.resource.canonical.removeprefix("/api/v10")  # type: ignore[union-attr]
        known = (request.method, template) in self._routes
        name = f"{request.method} {template if known else request.path.removeprefix('/api/v10')}"
        parsed = await parse_body(request)
        body = dict(parsed.fields)
        if isinstance(body.get("payload_json"), str):
            body.update(json.loads(body.pop("payload_json")))
        status, payload, headers = await self._answer(request, name, known, parsed, body)
        self.journal.record(
            RecordedRequest(
                name=name,
                http_method=request.method,
                path=request.path,
                query=dict(request.query),
                headers=header_dict(request),
                body=body,
                files=parsed.files,
                raw=parsed.raw,
                status=status,
                response=payload,
            )
        )
        if status == 204:
            return web.Response(status=204, headers=headers)
        return json_response(payload, status=status, headers=headers)

    async def _answer(
        self, request: web.Request, name: str, known: bool, parsed: ParsedBody, body: dict[str, Any]
    ) -> tuple[int, Any, dict[str, str]]:
        headers = ratelimit_headers(name)
        public = request.path.startswith(("/api/v10/interactions/", "/api/v10/webhooks/"))
        if not public and request.headers.get("Authorization") != f"Bot {self.token}":
            return 401, {"message": "401: Unauthorized", "code": 0}, headers
        failure = self.failures.take(name)
        if failure is not None:
            return failure_answer(failure, headers)
        if not known:
            return 404, {"message": "404: Not Found", "code": 0}, headers
        handler = self._routes[(request.method, name.split(" ", 1)[1])]
        payload = body.get("data") if name == CALLBACK else body
        errors = message_form_errors(payload) if name in _MESSAGE_ROUTES and isinstance(payload, dict) else {}
        if errors:
            errors = {"data": errors} if name == CALLBACK else errors
            return 400, {"message": "Invalid Form Body", "code": 50035, "errors": errors}, headers
        try:
            status, payload = await handler(request, parsed, body)
        except DiscordHTTPError as error:
            return error.status, {"message": error.message, "code": error.code}, headers
        return status, payload, headers

    def _route_table(self) -> dict[tuple[str, str], Handler]:
        return {
            ("GET", "/users/@me"): self._get_me,
            ("GET", "/oauth2/applications/@me"): self._get_application,
            ("GET", "/gateway"): self._get_gateway,
            ("GET", "/gateway/bot"): self._get_gateway,
            ("PUT", "/applications/{application_id}/commands"): self._put_commands,
            ("GET", "/applications/{application_id}/commands"): self._get_commands,
            ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands"): self._put_commands,
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands"): self._get_commands,
            ("POST", "/interactions/{interaction_id}/{interaction_token}/callback"): self._callback,
            ("POST", "/webhooks/{application_id}/{interaction_token}"): self._followup,
            ("GET", "/webhooks/{application_id}/{interaction_token}/messages/{message_id}"): self._get_webhook_message,
            (
                "PATCH",
                "/webhooks/{application_id}/{interaction_token}/messages/{message_id}",
            ): self._edit_webhook_message,
            (
                "DELETE",
                "/webhooks/{application_id}/{interaction_token}/messages/{message_id}",
            ): self._delete_webhook_message,
            ("POST", "/channels/{channel_id}/messages"): self._create_message,
            ("PATCH", "/channels/{channel_id}/messages/{message_id}"): self._edit_channel_message,
            ("POST", "/channels/{channel_id}/typing"): self._typing,
            ("POST", "/users/@me/channels"): self._open_dm,
        }

    async def _get_me(self, _request: web.Request, _parsed: ParsedBody, _body: dict[str, Any]) -> tuple[int, Any]:
        return 200, {**self.bot_user, "verified": True, "mfa_enabled": False, "flags": 0, "locale": "en-US"}

    async def _get_application(
        self, _request: web.Request, _parsed: ParsedBody, _body: dict[str, Any]
    ) -> tuple[int, Any]:
        return 200, {
            "id": self.application_id,
            "name": "Tradehub",
            "icon": None,
            "description": "",
            "summary": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.owner,
            "verify_key": self.public_key,
            "team": None,
            "flags": 0,
            "bot": self.bot_user,
            "interactions_endpoint_url": None,
            "install_params": {"scopes": ["bot", "applications.commands"], "permissions": "0"},
        }

    async def _get_gateway(self, _request: web.Request, _parsed: ParsedBody, _body: dict[str, Any]) -> tuple[int, Any]:
        limit = {"total": 1000, "remaining": 999, "reset_after": 86_400_000, "max_concurrency": 1}
        return 200, {"url": self.gateway_url.rstrip("/"), "shards": 1, "session_start_limit": limit}

    async def _put_commands(self, request: web.Request, _parsed: ParsedBody, body: dict[str, Any]) -> tuple[int, Any]:
        self._check_application(request)
        guild = request.match_info.get("guild_id")
        registered = []
        for command in body.get("_json", []):
            if not command.get("name") or (command.get("type", 1) == 1 and not command.get("description")):
                raise DiscordHTTPError(400, "Invalid Form Body", 50035)
            previous = next((c for c in self.commands.get(guild, []) if c["name"] == command["name"]), None)
            registered.append(
                {
                    "type": 1,
                    "options": [],
                    "default_member_permissions": None,
                    "nsfw": False,
                    "contexts": None,
                    "integration_types": [0],
                    "dm_permission": True,
                    **command,
                    "id": previous["id"] if previous else self.snowflake(),
                    "application_id": self.application_id,
                    "version": self.snowflake(),
                    **({"guild_id": guild} if guild else {}),
                }
            )
        self.commands[guild] = registered
        return 200, registered

    async def _get_commands(self, request: web.Request, _parsed: ParsedBody, _body: dict[str, Any]) -> tuple[int, Any]:
        self._check_application(request)
        return 200, self.commands.get(request.match_info.get("guild_id"), [])

    def _check_application(self, request: web.Request) -> None:
        if request.match_info["application_id"] != self.application_id:
            raise DiscordHTTPError(403, "Missing Access", 50001)

    def _interaction_for(self, interaction_id: str | None, token: str) -> dict[str, Any]:
        for identifier, state in self._interactions.items():
            if state["token"] == token and interaction_id in (None, identifier):
                return state
        raise DiscordHTTPError(
            404, "Unknown interaction" if interaction_id else "Unknown Webhook", 10062 if interaction_id else 10015
        )

    async def _callback(self, request: web.Request, parsed: ParsedBody, body: dict[str, Any]) -> tuple[int, Any]:
        interaction_id = request.match_info["interaction_id"]
        state = self._interaction_for(interaction_id, request.match_info["interaction_token"])
        if state["responded"]:
            raise DiscordHTTPError(400, "Interaction has already been acknowledged.", 40060)
        if time.monotonic() - state["created_at"] > self.interaction_deadline_s:
            raise DiscordHTTPError(404, "Unknown interaction", 10062)
        kind, data = body.get("type"), body.get("data") or {}
        message = self._apply_callback(state, kind, data, parsed)
        state["responded"] = True
        if request.query.get("with_response") not in ("1", "true", "True"):
            return 204, None
        described: dict[str, Any] = {
            "id": interaction_id,
            "type": state["type"],
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(data.get("flags", 0) & EPHEMERAL),
        }
        result: dict[str, Any] = {"interaction": described}
        if message is not None:
            described["response_message_id"] = message["id"]
            result["resource"] = {"type": kind, "message": message}
        return 200, result

    def _apply_callback(
        self, state: dict[str, Any], kind: Any, data: dict[str, Any], parsed: ParsedBody
    ) -> dict[str, Any] | None:
        component_only = kind in (6, 7)
        if kind not in (4, 5, 6, 7, 8, 9) or (component_only and state["type"] != 3):
            raise DiscordHTTPError(400, "Invalid Form Body", 50035)
        if kind == 4:
            if not any(data.get(key) for key in ("content", "embeds", "components", "attachments")):
                raise DiscordHTTPError(400, "Cannot send an empty message", 50006)
            state["original"] = self._message(state["channel_id"], data, files=parsed.files)
        elif kind == 5:
            state["original"] = self._message(state["channel_id"], {"flags": LOADING | data.get("flags", 0)})
        elif kind == 6 and state["source"] is not None:  # a deferred update: @original is the pressed message
            state["original"] = state["source"]
        elif kind == 7 and state["source"] is not None:
            state["source"].update(edited_fields(data))
            state["original"] = state["source"]
        return state["original"] if kind in (4, 5, 7) else None

    async def _followup(self, request: web.Request, parsed: ParsedBody, body: dict[str, Any]) -> tuple[int, Any]:
        self._check_application(request)
        state = self._interaction_for(None, request.match_info["interaction_token"])
        if not state["responded"]:
            raise DiscordHTTPError(404, "Unknown Webhook", 10015)
        message = self._message(state["channel_id"], body, files=parsed.files)
        message.update(webhook_id=self.application_id, application_id=self.application_id)
        state["followups"].append(message)
        return (200, message) if request.query.get("wait") in ("1", "true", "True") else (204, None)

    def _webhook_message(self, request: web.Request) -> dict[str, Any]:
        self._check_application(request)
        state = self._interaction_for(None, request.match_info["interaction_token"])
        wanted = request.match_info["message_id"]
        candidates = [state["original"], *state["followups"]]
        for message in candidates:
            if message is not None and (
                (wanted == "@original" and message is state["original"]) or message["id"] == wanted
            ):
                return message
        raise DiscordHTTPError(404, "Unknown Message", 10008)

    async def _get_webhook_message(
        self, request: web.Request, _parsed: ParsedBody, _body: dict[str, Any]
    ) -> tuple[int, Any]:
        return 200, self._webhook_message(request)

    async def _edit_webhook_message(
        self, request: web.Request, parsed: ParsedBody, body: dict[str, Any]
    ) -> tuple[int, Any]:
        message = self._webhook_message(request)
        message.update(edited_fields(body))
        message["flags"] = message.get("flags", 0) & ~LOADING
        if parsed.files:
            message["attachments"] = self._attachments(body, parsed.files)
        return 200, message

    async def _delete_webhook_message(
        self, request: web.Request, _parsed: ParsedBody, _body: dict[str, Any]
    ) -> tuple[int, Any]:
        message = self._webhook_message(request)
        self._messages.pop(message["id"], None)
        return 204, None

    async def _create_message(self, request: web.Request, parsed: ParsedBody, body: dict[str, Any]) -> tuple[int, Any]:
        if not any(body.get(key) for key in ("content", "embeds", "components", "sticker_ids")) and not parsed.files:
            raise DiscordHTTPError(400, "Cannot send an empty message", 50006)
        message = self._message(request.match_info["channel_id"], body, files=parsed.files)
        if request.match_info["channel_id"] in (self.channel_id, self.general_channel_id):
            message["guild_id"] = self.guild_id
        return 200, message

    async def _edit_channel_message(
        self, request: web.Request, _parsed: ParsedBody, body: dict[str, Any]
    ) -> tuple[int, Any]:
        message = self._messages.get(request.match_info["message_id"])
        if message is None:
            raise DiscordHTTPError(404, "Unknown Message", 10008)
        message.update(edited_fields(body))
        return 200, message

    async def _typing(self, _request: web.Request, _parsed: ParsedBody, _body: dict[str, Any]) -> tuple[int, Any]:
        return 204, None

    async def _open_dm(self, _request: web.Request, _parsed: ParsedBody, body: dict[str, Any]) -> tuple[int, Any]:
        recipient = user_payload(str(body.get("recipient_id")), "trader")
        return 200, self._channel(self._dm_id(recipient["id"]), None, recipient)
