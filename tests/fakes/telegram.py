"""A local fake of the Telegram Bot API (https://core.telegram.org/bots/api) for python-telegram-bot.

Point PTB at it with ``ApplicationBuilder().token(fake.token).base_url(fake.base_url)
.base_file_url(fake.base_file_url)``; ``fake.api_root`` is the server root for settings that append
``/bot<token>`` themselves. Calls are ``POST /bot<token>/<method>`` with urlencoded, JSON or multipart
parameters; answers are ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code", "description"
[, "parameters": {"retry_after"}]}`` with the matching HTTP status, as the real server does.

``getUpdates`` honours ``offset`` (confirming older updates), ``limit`` and ``timeout``: an empty
long-poll is held until an update arrives or the timeout passes, so a polling client does not spin.
Inject inbound traffic with :meth:`FakeTelegram.push_message`, :meth:`push_callback_query` or
:meth:`push_update`; read what the bot sent from :attr:`journal` (``fake.requests("sendMessage")``).

Modules: this one holds the server, its state, the test-facing API and the update queue;
``telegram_methods`` the Bot API methods and the message store, ``telegram_payloads`` the error
bodies, parameter decoding and Telegram's message checks.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any

import aiohttp
from aiohttp import web

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
from tests.fakes.telegram_methods import MethodsMixin
from tests.fakes.telegram_payloads import (
    BotApiError,
    Files,
    MethodHandler,
    Params,
    check_message_params,
    decode_param,
    error_payload,
    failure_payload,
    user_payload,
    utf16_len,
)

DEFAULT_TOKEN = "123456:TEST-TOKEN"
__all__ = ["DEFAULT_TOKEN", "BotApiError", "FakeTelegram"]


class FakeTelegram(MethodsMixin, FakeService):
    """The Bot API server for one bot token."""

    def __init__(self, *, token: str = DEFAULT_TOKEN, bot_username: str = "tradehub_test_bot") -> None:
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": "Tradehub",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.journal = RequestJournal()
        self.failures = FailurePlan()
        self.webhook: dict[str, Any] | None = None
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._pending: list[dict[str, Any]] = []
        self._arrival = asyncio.Event()
        self._closing = False
        self._chats: dict[int | str, dict[str, Any]] = {}
        self._messages: dict[tuple[int | str, int], dict[str, Any]] = {}
        self._message_ids: dict[int | str, itertools.count[int]] = {}
        self._open_callbacks: set[str] = set()
        self._files: dict[str, tuple[str, bytes]] = {}
        self._methods: dict[str, MethodHandler] = self._method_table()
        self._server = BackgroundServer(self._build_app(), on_shutdown=self._wake_pollers)

    # ----------------------------------------------------------------- lifecycle and addresses

    @property
    def api_root(self) -> str:
        """Server root, like ``https://api.telegram.org`` (clients append ``/bot<token>``)."""
        return self._server.base_url

    @property
    def base_url(self) -> str:
        """Value for PTB's ``base_url`` (PTB appends the token)."""
        return f"{self._server.base_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self._server.base_url}/file/bot"

    # ----------------------------------------------------------------- test-facing API

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        times: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error (429 carries ``retry_after``)."""
        if status == 429 and retry_after is None:
            retry_after = 1
        self.failures.add(method, InjectedFailure(status, retry_after, description), times=times)

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw Update for the next getUpdates; an ``update_id`` is assigned if missing."""
        return self._server.run(self._enqueue(update))

    def push_message(
        self,
        text: str,
        *,
        user_id: int = 1001,
        chat_id: int | None = None,
        chat_type: str | None = None,
        username: str | None = "trader",
        first_name: str = "Trader",
        update_id: int | None = None,
    ) -> dict[str, Any]:
        """Queue a text message from a user; commands get their ``bot_command`` entity, as Telegram adds.

        ``chat_id`` (negative for groups) makes it a group message; otherwise it is a private chat.
        Returns the queued Update.
        """
        update = self.message_update(
            text,
            user_id=user_id,
            chat_id=chat_id,
            chat_type=chat_type,
            username=username,
            first_name=first_name,
            update_id=update_id,
        )
        return self.push_update(update)

    def push_callback_query(
        self,
        data: str,
        *,
        message: dict[str, Any],
        user_id: int = 1001,
        first_name: str = "Trader",
        username: str | None = "trader",
        update_id: int | None = None,
    ) -> dict[str, Any]:
        """Queue an inline-keyboard press on ``message`` (a message the bot sent, e.g. a recorded result)."""
        update = self.callback_query_update(
            data, message=message, user_id=user_id, first_name=first_name, username=username, update_id=update_id
        )
        return self.push_update(update)

    def message_update(
        self,
        text: str,
        *,
        user_id: int = 1001,
        chat_id: int | None = None,
        chat_type: str | None = None,
        username: str | None = "trader",
        first_name: str = "Trader",
        update_id: int | None = None,
    ) -> dict[str, Any]:
        """The Update :meth:`push_message` queues, without queueing it (for :meth:`deliver_webhook`)."""
        user = user_payload(user_id, first_name, username)
        return self._server.run(self._message_update(text, user, chat_id, chat_type, update_id))

    def callback_query_update(
        self,
        data: str,
        *,
        message: dict[str, Any],
        user_id: int = 1001,
        first_name: str = "Trader",
        username: str | None = "trader",
        update_id: int | None = None,
    ) -> dict[str, Any]:
        """The Update :meth:`push_callback_query` queues, without queueing it."""
        user = user_payload(user_id, first_name, username)
        return self._server.run(self._callback_query_update(data, message, user, update_id))

    def webhook_headers(self) -> dict[str, str]:
        """Headers of a webhook delivery: JSON, plus the ``secret_token`` registered with setWebhook."""
        headers = {"Content-Type": "application/json"}
        secret = (self.webhook or {}).get("secret_token")
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        return headers

    async def deliver_webhook(self, update: dict[str, Any], *, url: str | None = None) -> int:
        """POST ``update`` to the registered webhook URL (or ``url``) as Telegram does; return the status.

        Telegram redelivers an update whose delivery did not get a 2xx; call this again to model that.
        """
        target = url or (self.webhook or {}).get("url")
        if not target:
            raise AssertionError("no webhook registered with setWebhook and no url given")
        if "update_id" not in update:
            update = self._server.run(self._with_update_id(update, None))
        async with (
            aiohttp.ClientSession() as session,
            session.post(target, data=json.dumps(update).encode(), headers=self.webhook_headers()) as response,
        ):
            return response.status

    def sent_messages(self, chat_id: int | str) -> list[dict[str, Any]]:
        """Results of every successful send*/edit* call to ``chat_id``, oldest first."""
        return [
            entry.response["result"]
            for entry in self.journal.requests()
            if entry.status == 200
            and isinstance(entry.response.get("result"), dict)
            and entry.response["result"].get("chat", {}).get("id") == chat_id
        ]

    def pending_updates(self) -> int:
        return self._server.run(self._count_pending())

    # ----------------------------------------------------------------- HTTP layer
    def _build_app(self) -> web.Application:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        return app

    async def _handle_method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        parsed = await parse_body(request)
        params = {**dict(request.query), **parsed.fields}
        params = {key: decode_param(key, value) for key, value in params.items()}
        status, payload = await self._answer(request.match_info["token"], method, params, parsed.files)
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
        return json_response(payload, status=status)

    async def _answer(self, token: str, method: str, params: Params, files: Files) -> tuple[int, Any]:
        if token != self.token:
            return 401, error_payload(401, "Unauthorized")
        failure = self.failures.take(method)
        if failure is not None:
            return failure.status, failure_payload(failure)
        handler = self._methods.get(method.lower())
        if handler is None:
            return 404, error_payload(404, "Not Found")
        try:
            if method.lower().startswith(("send", "edit")):
                check_message_params(params)
            result = await handler(params, files)
        except BotApiError as error:
            return error.status, error_payload(error.status, error.description)
        return 200, {"ok": True, "result": result}

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return json_response(error_payload(401, "Unauthorized"), status=401)
        wanted = request.match_info["file_path"]
        for file_path, data in self._files.values():
            if file_path == wanted:
                return web.Response(body=data, content_type="application/octet-stream")
        return json_response(error_payload(404, "Not Found"), status=404)

    # ----------------------------------------------------------------- update queue (server loop)
    async def _enqueue(self, update: dict[str, Any]) -> dict[str, Any]:
        if "update_id" not in update:
            update = await self._with_update_id(update, None)
        self._pending.append(update)
        self._arrival.set()
        self._arrival = asyncio.Event()
        return update

    async def _message_update(
        self,
        text: str,
        user: dict[str, Any],
        chat_id: int | None,
        chat_type: str | None,
        update_id: int | None,
    ) -> dict[str, Any]:
        chat = self._remember_chat(user if chat_id is None else None, chat_id, chat_type)
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat["id"]),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        self._messages[(chat["id"], message["message_id"])] = message
        return await self._with_update_id({"message": message}, update_id)

    async def _callback_query_update(
        self, data: str, message: dict[str, Any], user: dict[str, Any], update_id: int | None
    ) -> dict[str, Any]:
        query_id = str(4_000_000_000 + next(self._callback_ids))
        self._open_callbacks.add(query_id)
        query = {
            "id": query_id,
            "from": user,
            "message": message,
            "data": data,
            "chat_instance": str(message["chat"]["id"]),
        }
        return await self._with_update_id({"callback_query": query}, update_id)

    async def _with_update_id(self, update: dict[str, Any], update_id: int | None) -> dict[str, Any]:
        return {"update_id": update_id if update_id is not None else next(self._update_ids), **update}

    async def _wake_pollers(self) -> None:
        self._closing = True
        self._arrival.set()

    async def _count_pending(self) -> int:
        return len(self._pending)

    async def _get_updates(self, params: Params, _files: Files) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise BotApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset, limit = int(params.get("offset", 0)), int(params.get("limit", 100))
        if offset > 0:
            self._pending = [update for update in self._pending if update["update_id"] >= offset]
        deadline = asyncio.get_running_loop().time() + float(params.get("timeout", 0))
        while True:
            if self._pending or self._closing:
                return self._pending[:limit]
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return []
            try:
                await asyncio.wait_for(self._arrival.wait(), remaining)
            except TimeoutError:
                return []
