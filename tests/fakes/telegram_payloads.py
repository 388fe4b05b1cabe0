"""Bot API shapes and rules shared by the Telegram fake's modules: error bodies, parameter decoding,
and the checks Telegram applies to message text, captions, entities and inline keyboards."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from tests.fakes._server import InjectedFailure, UploadedFile

# Parameters that Telegram types as String: never JSON-decoded from form fields.
STRING_PARAMS = frozenset(
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
NOT_MODIFIED = (
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


# --------------------------------------------------------------------- payloads and checks
def user_payload(user_id: int, first_name: str, username: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}
    if username:
        user["username"] = username
    return user


async def answer_true(_params: Params, _files: Files) -> bool:
    return True


def error_payload(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}


def failure_payload(failure: InjectedFailure) -> dict[str, Any]:
    if failure.status == 429:
        retry_after = int(failure.retry_after or 1)
        payload = error_payload(429, failure.error or f"Too Many Requests: retry after {retry_after}")
        payload["parameters"] = {"retry_after": retry_after}
        return payload
    phrases = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
    return error_payload(failure.status, failure.error or phrases.get(failure.status, "Error"))


def decode_param(key: str, value: Any) -> Any:
    if key in STRING_PARAMS or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def require_chat(params: Params) -> int | str:
    chat_id = params.get("chat_id")
    if chat_id in (None, ""):
        raise BotApiError(400, "Bad Request: chat_id is empty")
    return chat_id  # type: ignore[no-any-return]


def check_message_params(params: Params) -> None:
    """Reject what Telegram rejects in message text, captions and inline keyboards."""
    caption = params.get("caption")
    if isinstance(caption, str) and utf16_len(caption) > 1024:
        raise BotApiError(400, "Bad Request: message caption is too long")
    parse_mode = str(params.get("parse_mode") or "")
    for field_name in ("text", "caption"):
        value = params.get(field_name)
        if isinstance(value, str) and parse_mode:
            problem = entity_problem(value, parse_mode)
            if problem:
                raise BotApiError(400, f"Bad Request: can't parse entities: {problem}")
    markup = params.get("reply_markup")
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    for button in itertools.chain.from_iterable(rows):
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= 64:
            raise BotApiError(400, "Bad Request: BUTTON_DATA_INVALID")


def entity_problem(text: str, parse_mode: str) -> str | None:
    if parse_mode == "MarkdownV2":
        return markdown_v2_problem(text)
    if parse_mode == "HTML":
        return html_problem(text)
    if parse_mode == "Markdown":
        unescaped = re.sub(r"\\.", "", text)
        for marker in ("*", "_", "`"):
            if unescaped.count(marker) % 2:
                offset = len(text[: text.rfind(marker)].encode())
                return f"Can't find end of the entity starting at byte offset {offset}"
        return None
    return f"Unsupported parse_mode {parse_mode!r}"


def markdown_v2_problem(text: str) -> str | None:
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


HTML_TAGS = frozenset(
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


def html_problem(text: str) -> str | None:
    open_tags: list[str] = []
    for match in re.finditer(r"<(/?)([^\s>/]*)[^>]*>|<", text):
        closing, name = match.group(1), (match.group(2) or "").lower()
        offset = len(text[: match.start()].encode())
        if name not in HTML_TAGS:
            return f'Unsupported start tag "{name}" at byte offset {offset}'
        if not closing:
            open_tags.append(name)
        elif not open_tags or open_tags.pop() != name:
            return f'Unmatched end tag at byte offset {offset}, expected "</{open_tags[-1] if open_tags else name}>"'
    if open_tags:
        return f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"'
    return None


def caption_field(params: Params) -> dict[str, Any]:
    return {"caption": params["caption"]} if params.get("caption") else {}


def commands_key(params: Params) -> str:
    scope = params.get("scope") or {"type": "default"}
    return f"{json.dumps(scope, sort_keys=True)}|{params.get('language_code', '')}"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def png_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 320, 240
