"""Payload builders and limits of the Discord fake: users, members, options, form errors, rate-limit answers."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Mapping
from typing import Any

from tests.fakes._server import InjectedFailure

INTENT_GUILD_MESSAGES, INTENT_DIRECT_MESSAGES, INTENT_MESSAGE_CONTENT = 1 << 9, 1 << 12, 1 << 15
EPHEMERAL, LOADING = 1 << 6, 1 << 7
ALL_PERMISSIONS = str((1 << 50) - 1)


# --------------------------------------------------------------------- module helpers
def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def user_payload(user_id: str, username: str, *, bot: bool = False) -> dict[str, Any]:
    user = {
        "id": user_id,
        "username": username,
        "global_name": username.title(),
        "discriminator": "0",
        "avatar": None,
        "public_flags": 0,
    }
    if bot:
        user["bot"] = True
    return user


def member_payload(user: dict[str, Any] | None, roles: list[str] | None = None) -> dict[str, Any]:
    member = {
        "roles": roles or [],
        "nick": None,
        "avatar": None,
        "joined_at": now_iso(),
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "permissions": "2248473465835073",
        "communication_disabled_until": None,
    }
    if user is not None:
        member["user"] = user
    return member


def options_payload(options: Mapping[str, Any] | list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    if options is None:
        return []
    if isinstance(options, list):
        return options
    typed = []
    for name, value in options.items():
        if isinstance(value, bool):
            kind = 5
        elif isinstance(value, int):
            kind = 4
        elif isinstance(value, float):
            kind = 10
        else:
            kind, value = 3, str(value)
        typed.append({"name": name, "type": kind, "value": value})
    return typed


def edited_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    changes = {key: body[key] for key in ("content", "embeds", "components", "flags") if key in body}
    changes["edited_timestamp"] = now_iso()
    return changes


def apply_message_intents(data: dict[str, Any], intents: int, bot_id: str) -> dict[str, Any] | None:
    in_guild = "guild_id" in data
    if not intents & (INTENT_GUILD_MESSAGES if in_guild else INTENT_DIRECT_MESSAGES):
        return None
    mentioned = any(user["id"] == bot_id for user in data.get("mentions", []))
    if in_guild and not mentioned and not intents & INTENT_MESSAGE_CONTENT:
        return {**data, "content": "", "embeds": [], "attachments": [], "components": []}
    return data


def message_form_errors(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Discord's ``errors`` tree for a message payload (content, embed and component limits), or ``{}``."""
    errors: dict[str, Any] = {}
    if len(payload.get("content") or "") > 2000:
        _put(errors, ["content"], "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
    embeds = payload.get("embeds") or []
    if len(embeds) > 10:
        _put(errors, ["embeds"], "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    for index, embed in enumerate(embeds):
        for key, limit in (("title", 256), ("description", 4096)):
            if len(embed.get(key) or "") > limit:
                _put(
                    errors, ["embeds", str(index), key], "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."
                )
        if len(embed.get("fields") or []) > 25:
            _put(errors, ["embeds", str(index), "fields"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    _component_errors(errors, payload.get("components") or [])
    return errors


def _component_errors(errors: dict[str, Any], rows: list[Any]) -> None:
    if len(rows) > 5:
        _put(errors, ["components"], "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    seen: set[str] = set()
    for row_index, row in enumerate(rows):
        path = ["components", str(row_index)]
        children = row.get("components") or []
        if row.get("type") != 1 or not 1 <= len(children) <= 5:
            _put(errors, path, "UNION_TYPE_CHOICES", 'Value of field "type" must be one of (1,).')
            continue
        for index, component in enumerate(children):
            where = [*path, "components", str(index)]
            custom_id, is_link = component.get("custom_id"), component.get("style") == 5
            if component.get("type") == 2 and len(component.get("label") or "") > 80:
                _put(errors, [*where, "label"], "BASE_TYPE_MAX_LENGTH", "Must be 80 or fewer in length.")
            if is_link and not component.get("url"):
                _put(errors, [*where, "url"], "BUTTON_COMPONENT_URL_REQUIRED", "A url is required")
            elif not is_link and not custom_id:
                _put(errors, [*where, "custom_id"], "BUTTON_COMPONENT_CUSTOM_ID_REQUIRED", "A custom id is required")
            elif custom_id and len(custom_id) > 100:
                _put(errors, [*where, "custom_id"], "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
            elif custom_id in seen:
                _put(
                    errors,
                    [*where, "custom_id"],
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    "Component custom id cannot be duplicated",
                )
            if custom_id:
                seen.add(custom_id)


def _put(errors: dict[str, Any], path: list[str], code: str, message: str) -> None:
    node = errors
    for key in path:
        node = node.setdefault(key, {})
    node.setdefault("_errors", []).append({"code": code, "message": message})


def ratelimit_headers(name: str) -> dict[str, str]:
    return {
        "Via": "1.1 google",
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "4",
        "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
        "X-RateLimit-Reset-After": "1.000",
        "X-RateLimit-Bucket": format(abs(hash(name)) & 0xFFFFFFFF, "08x"),
    }


def failure_answer(failure: InjectedFailure, headers: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
    if failure.status == 429:
        retry_after = float(failure.retry_after or 0.1)
        limited = {
            **headers,
            "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Scope": "user",
        }
        body = {"message": failure.error or "You are being rate limited.", "retry_after": retry_after, "global": False}
        return 429, body, limited
    phrase = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
    message = failure.error or f"{failure.status}: {phrase.get(failure.status, 'Error')}"
    return failure.status, {"message": message, "code": 0}, headers
