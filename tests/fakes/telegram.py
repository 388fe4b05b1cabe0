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
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Awaitable, Callable
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
    UploadedFile,
    header_dict,
    json_response,
    parse_body,
)

# Parameters that Telegram types as String: never JSON-decoded from form fields.
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "secret_token",
        "description",
        "short_description",
        "name",
        "title",
        "query",
        "inline_message_id",
        "language_code",
        "emoji",
        "file_id",
        "photo",
        "document",
        "audio",
        "video",
        "animation",
        "voice",
        "sticker",
        "thumbnail",
        "ip_address",
        "business_connection_id",
        "action",
    }
)
DEFAULT_TOKEN = "123456:TEST-TOKEN"
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
Params = dict[str, Any]
Files = dict[str, UploadedFile]
MethodHandler = Callable[[Params, Files], Awaitable[Any]]


class BotApiError(Exception):
    """An error answer of the Bot API: HTTP status plus description."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


class FakeTelegram(FakeService):
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
        user = _user(user_id, first_name, username)
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
        user = _user(user_id, first_name, username)
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
        params = {key: _decode_param(key, value) for key, value in params.items()}
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
            return 401, _error(401, "Unauthorized")
        failure = self.failures.take(method)
        if failure is not None:
            return failure.status, _failure_payload(failure)
        handler = self._methods.get(method.lower())
        if handler is None:
            return 404, _error(404, "Not Found")
        try:
            if method.lower().startswith(("send", "edit")):
                _check_message_params(params)
            result = await handler(params, files)
        except BotApiError as error:
            return error.status, _error(error.status, error.description)
        return 200, {"ok": True, "result": result}

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return json_response(_error(401, "Unauthorized"), status=401)
        wanted = request.match_info["file_path"]
        for file_path, data in self._files.values():
            if file_path == wanted:
                return web.Response(body=data, content_type="application/octet-stream")
        return json_response(_error(404, "Not Found"), status=404)

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
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]
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

    # ----------------------------------------------------------------- Bot API methods
    def _method_table(self) -> dict[str, MethodHandler]:
        returns_true = (
            "logout",
            "close",
            "sendchataction",
            "setchatmenubutton",
            "setmydescription",
            "setmyshortdescription",
            "setmyname",
            "pinchatmessage",
            "unpinchatmessage",
        )
        table: dict[str, MethodHandler] = dict.fromkeys(returns_true, _true)
        table.update(
            {
                "getme": self._get_me,
                "getupdates": self._get_updates,
                "setwebhook": self._set_webhook,
                "deletewebhook": self._delete_webhook,
                "getwebhookinfo": self._get_webhook_info,
                "sendmessage": self._send_message,
                "sendphoto": self._send_photo,
                "senddocument": self._send_document,
                "editmessagetext": self._edit_message_text,
                "editmessagereplymarkup": self._edit_reply_markup,
                "deletemessage": self._delete_message,
                "answercallbackquery": self._answer_callback_query,
                "setmycommands": self._set_my_commands,
                "getmycommands": self._get_my_commands,
                "deletemycommands": self._delete_my_commands,
                "getfile": self._get_file,
                "getchat": self._get_chat,
            }
        )
        return table

    async def _get_me(self, _params: Params, _files: Files) -> dict[str, Any]:
        return self.bot_user

    async def _set_webhook(self, params: Params, _files: Files) -> bool:
        if not params.get("url"):
            raise BotApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {
            "url": params["url"],
            "secret_token": params.get("secret_token"),
            "allowed_updates": params.get("allowed_updates"),
        }
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _delete_webhook(self, params: Params, _files: Files) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _get_webhook_info(self, _params: Params, _files: Files) -> dict[str, Any]:
        url = self.webhook["url"] if self.webhook else ""
        return {"url": url, "has_custom_certificate": False, "pending_update_count": len(self._pending)}

    async def _send_message(self, params: Params, _files: Files) -> dict[str, Any]:
        chat_id = _require_chat(params)
        text = str(params.get("text", ""))
        if not text.strip():
            raise BotApiError(400, "Bad Request: message text is empty")
        if _utf16_len(text) > 4096:
            raise BotApiError(400, "Bad Request: message is too long")
        return self._store_bot_message(chat_id, params, text=text)

    async def _send_photo(self, params: Params, files: Files) -> dict[str, Any]:
        chat_id = _require_chat(params)
        upload = self._resolve_file(params.get("photo"), files, "photo")
        if upload is None:
            raise BotApiError(400, "Bad Request: there is no photo in the request")
        file_id, data = upload
        width, height = _png_size(data)
        photo = [
            {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_size": len(data),
                "width": width,
                "height": height,
            }
        ]
        return self._store_bot_message(chat_id, params, photo=photo, **_caption(params))

    async def _send_document(self, params: Params, files: Files) -> dict[str, Any]:
        chat_id = _require_chat(params)
        upload = self._resolve_file(params.get("document"), files, "document")
        if upload is None:
            raise BotApiError(400, "Bad Request: there is no document in the request")
        file_id, data = upload
        part = files.get("document")
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(data),
            "file_name": part.filename if part else "document",
            "mime_type": part.content_type if part else "application/octet-stream",
        }
        return self._store_bot_message(chat_id, params, document=document, **_caption(params))

    async def _edit_message_text(self, params: Params, _files: Files) -> dict[str, Any]:
        message = self._find_message(params, "Bad Request: message to edit not found")
        text = str(params.get("text", ""))
        if not text.strip():
            raise BotApiError(400, "Bad Request: message text is empty")
        markup = params.get("reply_markup")
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise BotApiError(400, _NOT_MODIFIED)
        return self._edit(message, text=text, reply_markup=markup)

    async def _edit_reply_markup(self, params: Params, _files: Files) -> dict[str, Any]:
        message = self._find_message(params, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        if message.get("reply_markup") == markup:
            raise BotApiError(400, _NOT_MODIFIED)
        return self._edit(message, reply_markup=markup)

    async def _delete_message(self, params: Params, _files: Files) -> bool:
        message = self._find_message(params, "Bad Request: message to delete not found")
        del self._messages[(message["chat"]["id"], message["message_id"])]
        return True

    async def _answer_callback_query(self, params: Params, _files: Files) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._open_callbacks:
            raise BotApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        self._open_callbacks.discard(query_id)
        return True

    async def _set_my_commands(self, params: Params, _files: Files) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise BotApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            name, description = command.get("command", ""), command.get("description", "")
            valid_name = 1 <= len(name) <= 32 and all(c.islower() or c.isdigit() or c == "_" for c in name)
            if not valid_name or not 1 <= len(description) <= 256:
                raise BotApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        self.commands[_commands_key(params)] = commands
        return True

    async def _get_my_commands(self, params: Params, _files: Files) -> list[dict[str, Any]]:
        return self.commands.get(_commands_key(params), [])

    async def _delete_my_commands(self, params: Params, _files: Files) -> bool:
        self.commands.pop(_commands_key(params), None)
        return True

    async def _get_file(self, params: Params, _files: Files) -> dict[str, Any]:
        file_id = str(params.get("file_id", ""))
        if file_id not in self._files:
            raise BotApiError(400, "Bad Request: invalid file_id")
        file_path, data = self._files[file_id]
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(data), "file_path": file_path}

    async def _get_chat(self, params: Params, _files: Files) -> dict[str, Any]:
        chat_id = _require_chat(params)
        if chat_id not in self._chats:
            raise BotApiError(400, "Bad Request: chat not found")
        return {**self._chats[chat_id], "accent_color_id": 0, "max_reaction_count": 11}

    # ----------------------------------------------------------------- message store helpers
    def _remember_chat(
        self, private_user: dict[str, Any] | None, chat_id: int | None, chat_type: str | None
    ) -> dict[str, Any]:
        if private_user is not None:
            chat = {"id": private_user["id"], "type": "private", "first_name": private_user["first_name"]}
            if "username" in private_user:
                chat["username"] = private_user["username"]
        else:
            assert chat_id is not None
            kind = chat_type or ("supergroup" if str(chat_id).startswith("-100") else "group")
            chat = {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}
        self._chats[chat["id"]] = chat
        return chat

    def _chat_for(self, chat_id: int | str) -> dict[str, Any]:
        if chat_id in self._chats:
            return self._chats[chat_id]
        if isinstance(chat_id, int) and chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "User"}
        return {"id": chat_id, "type": "supergroup", "title": f"Chat {chat_id}"}

    def _next_message_id(self, chat_id: int | str) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _store_bot_message(self, chat_id: int | str, params: Params, **content: Any) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "from": self.bot_user,
            "chat": self._chat_for(chat_id),
            "date": int(time.time()),
            **content,
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _find_message(self, params: Params, missing: str) -> dict[str, Any]:
        key = (_require_chat(params), int(params.get("message_id", 0)))
        if key not in self._messages:
            raise BotApiError(400, missing)
        return self._messages[key]

    def _edit(self, message: dict[str, Any], **changes: Any) -> dict[str, Any]:
        for field_name, value in changes.items():
            if value is None:
                message.pop(field_name, None)
            else:
                message[field_name] = value
        message["edit_date"] = int(time.time())
        return message

    def _resolve_file(self, value: Any, files: Files, field_name: str) -> tuple[str, bytes] | None:
        part = files.get(field_name)
        if isinstance(value, str) and value.startswith("attach://"):
            part = files.get(value.removeprefix("attach://"))
        if part is not None:
            file_id = f"AgAD{next(self._file_ids):08d}"
            self._files[file_id] = (f"{field_name}s/file_{file_id}", part.data)
            return file_id, part.data
        if isinstance(value, str) and value in self._files:
            return value, self._files[value][1]
        return None


# --------------------------------------------------------------------- module helpers
def _user(user_id: int, first_name: str, username: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}
    if username:
        user["username"] = username
    return user


async def _true(_params: Params, _files: Files) -> bool:
    return True


def _error(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}


def _failure_payload(failure: InjectedFailure) -> dict[str, Any]:
    if failure.status == 429:
        retry_after = int(failure.retry_after or 1)
        payload = _error(429, failure.error or f"Too Many Requests: retry after {retry_after}")
        payload["parameters"] = {"retry_after": retry_after}
        return payload
    phrases = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
    return _error(failure.status, failure.error or phrases.get(failure.status, "Error"))


def _decode_param(key: str, value: Any) -> Any:
    if key in _STRING_PARAMS or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _require_chat(params: Params) -> int | str:
    chat_id = params.get("chat_id")
    if chat_id in (None, ""):
        raise BotApiError(400, "Bad Request: chat_id is empty")
    return chat_id  # type: ignore[no-any-return]


def _check_message_params(params: Params) -> None:
    """Reject what Telegram rejects in message text, captions and inline keyboards."""
    caption = params.get("caption")
    if isinstance(caption, str) and _utf16_len(caption) > 1024:
        raise BotApiError(400, "Bad Request: message caption is too long")
    parse_mode = str(params.get("parse_mode") or "")
    for field_name in ("text", "caption"):
        value = params.get(field_name)
        if isinstance(value, str) and parse_mode:
            problem = _entity_problem(value, parse_mode)
            if problem:
                raise BotApiError(400, f"Bad Request: can't parse entities: {problem}")
    markup = params.get("reply_markup")
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    for button in itertools.chain.from_iterable(rows):
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= 64:
            raise BotApiError(400, "Bad Request: BUTTON_DATA_INVALID")


def _entity_problem(text: str, parse_mode: str) -> str | None:
    if parse_mode == "MarkdownV2":
        return _markdown_v2_problem(text)
    if parse_mode == "HTML":
        return _html_problem(text)
    if parse_mode == "Markdown":
        unescaped = re.sub(r"\\.", "", text)
        for marker in ("*", "_", "`"):
            if unescaped.count(marker) % 2:
                offset = len(text[: text.rfind(marker)].encode())
                return f"Can't find end of the entity starting at byte offset {offset}"
        return None
    return f"Unsupported parse_mode {parse_mode!r}"


def _markdown_v2_problem(text: str) -> str | None:
    index, in_code, in_url = 0, False, False
    while index < len(text):
        char, step = text[index], 1
        if char == "\\":
            step = 2
        elif char == "`":
            in_code = not in_code
        elif in_code:
            pass
        elif in_url:
            in_url = char != ")"
        elif text.startswith("](", index):
            in_url, step = True, 2
        elif text.startswith("||", index) or (char == ">" and (index == 0 or text[index - 1] == "\n")):
            step = 2 if char == "|" else 1
        elif char in ".!-=+#{}()>|":
            return f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
        index += step
    return None


_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)


def _html_problem(text: str) -> str | None:
    open_tags: list[str] = []
    for match in re.finditer(r"<(/?)([^\s>/]*)[^>]*>|<", text):
        closing, name = match.group(1), (match.group(2) or "").lower()
        offset = len(text[: match.start()].encode())
        if name not in _HTML_TAGS:
            return f'Unsupported start tag "{name}" at byte offset {offset}'
        if not closing:
            open_tags.append(name)
        elif not open_tags or open_tags.pop() != name:
            return f'Unmatched end tag at byte offset {offset}, expected "</{open_tags[-1] if open_tags else name}>"'
    if open_tags:
        return f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"'
    return None


def _caption(params: Params) -> dict[str, Any]:
    return {"caption": params["caption"]} if params.get("caption") else {}


def _commands_key(params: Params) -> str:
    scope = params.get("scope") or {"type": "default"}
    return f"{json.dumps(scope, sort_keys=True)}|{params.get('language_code', '')}"


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _png_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 320, 240
