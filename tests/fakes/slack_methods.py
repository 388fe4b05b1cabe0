"""The Web API methods of :class:`tests.fakes.slack.FakeSlack` and its message and file store."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from typing import Any

from tests.fakes._server import BackgroundServer
from tests.fakes.slack_payloads import MethodHandler, Params, SlackApiFailure, block_kit_problems


class MethodsMixin:
    """Web API methods of :class:`tests.fakes.slack.FakeSlack` (which provides the attributes below)."""

    team_id: str
    bot_user_id: str
    bot_id: str
    app_id: str
    uploaded: dict[str, bytes]
    _files: dict[str, dict[str, Any]]
    _messages: dict[tuple[str, str], dict[str, Any]]
    _lock: threading.Lock
    _counter: itertools.count[int]
    _server: BackgroundServer

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
