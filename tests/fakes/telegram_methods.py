"""The Bot API methods of :class:`tests.fakes.telegram.FakeTelegram` and its message store."""

from __future__ import annotations

import itertools
import time
from typing import TYPE_CHECKING, Any

from tests.fakes.telegram_payloads import (
    NOT_MODIFIED,
    BotApiError,
    Files,
    MethodHandler,
    Params,
    answer_true,
    caption_field,
    commands_key,
    png_size,
    require_chat,
    utf16_len,
)


class MethodsMixin:
    """Bot API methods of :class:`tests.fakes.telegram.FakeTelegram` (which provides the attributes below)."""

    bot_user: dict[str, Any]
    webhook: dict[str, Any] | None
    commands: dict[str, list[dict[str, Any]]]
    _file_ids: itertools.count[int]
    _pending: list[dict[str, Any]]
    _chats: dict[int | str, dict[str, Any]]
    _messages: dict[tuple[int | str, int], dict[str, Any]]
    _message_ids: dict[int | str, itertools.count[int]]
    _open_callbacks: set[str]
    _files: dict[str, tuple[str, bytes]]

    if TYPE_CHECKING:  # provided by FakeTelegram

        async def _get_updates(self, params: Params, _files: Files) -> list[dict[str, Any]]: ...

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
        table: dict[str, MethodHandler] = dict.fromkeys(returns_true, answer_true)
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
        chat_id = require_chat(params)
        text = str(params.get("text", ""))
        if not text.strip():
            raise BotApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > 4096:
            raise BotApiError(400, "Bad Request: message is too long")
        return self._store_bot_message(chat_id, params, text=text)

    async def _send_photo(self, params: Params, files: Files) -> dict[str, Any]:
        chat_id = require_chat(params)
        upload = self._resolve_file(params.get("photo"), files, "photo")
        if upload is None:
            raise BotApiError(400, "Bad Request: there is no photo in the request")
        file_id, data = upload
        width, height = png_size(data)
        photo = [
            {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_size": len(data),
                "width": width,
                "height": height,
            }
        ]
        return self._store_bot_message(chat_id, params, photo=photo, **caption_field(params))

    async def _send_document(self, params: Params, files: Files) -> dict[str, Any]:
        chat_id = require_chat(params)
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
        return self._store_bot_message(chat_id, params, document=document, **caption_field(params))

    async def _edit_message_text(self, params: Params, _files: Files) -> dict[str, Any]:
        message = self._find_message(params, "Bad Request: message to edit not found")
        text = str(params.get("text", ""))
        if not text.strip():
            raise BotApiError(400, "Bad Request: message text is empty")
        markup = params.get("reply_markup")
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise BotApiError(400, NOT_MODIFIED)
        return self._edit(message, text=text, reply_markup=markup)

    async def _edit_reply_markup(self, params: Params, _files: Files) -> dict[str, Any]:
        message = self._find_message(params, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        if message.get("reply_markup") == markup:
            raise BotApiError(400, NOT_MODIFIED)
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
        self.commands[commands_key(params)] = commands
        return True

    async def _get_my_commands(self, params: Params, _files: Files) -> list[dict[str, Any]]:
        return self.commands.get(commands_key(params), [])

    async def _delete_my_commands(self, params: Params, _files: Files) -> bool:
        self.commands.pop(commands_key(params), None)
        return True

    async def _get_file(self, params: Params, _files: Files) -> dict[str, Any]:
        file_id = str(params.get("file_id", ""))
        if file_id not in self._files:
            raise BotApiError(400, "Bad Request: invalid file_id")
        file_path, data = self._files[file_id]
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(data), "file_path": file_path}

    async def _get_chat(self, params: Params, _files: Files) -> dict[str, Any]:
        chat_id = require_chat(params)
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
        key = (require_chat(params), int(params.get("message_id", 0)))
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
