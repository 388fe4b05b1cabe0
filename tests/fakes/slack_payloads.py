"""Slack's shapes and rules shared by the Slack fake's modules: ``ok: false`` answers, request signing and
encoding for HTTP mode, parameter decoding, injected failures and the Block Kit checks."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from tests.fakes._server import InjectedFailure

JSON_PARAMS = frozenset({"blocks", "attachments", "files", "metadata", "view"})
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


BLOCK_TYPES = frozenset(
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
        if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
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


def token_of(request: web.Request, params: Params) -> str | None:
    authorization = request.headers.get("Authorization", "")
    if authorization.startswith("Bearer "):
        return authorization.removeprefix("Bearer ")
    token = params.get("token")
    return str(token) if token else None


def decode_param(key: str, value: Any) -> Any:
    if key in JSON_PARAMS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def injected_failure_answer(failure: InjectedFailure) -> tuple[int, dict[str, Any], dict[str, str]]:
    if failure.status == 429:
        retry_after = str(int(failure.retry_after or 1))
        return 429, {"ok": False, "error": failure.error or "ratelimited"}, {"Retry-After": retry_after}
    if failure.status >= 500:
        return failure.status, {"ok": False, "error": failure.error or "fatal_error"}, {}
    return failure.status, {"ok": False, "error": failure.error or "internal_error"}, {}
