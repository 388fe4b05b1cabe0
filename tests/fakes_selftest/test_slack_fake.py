"""slack_sdk and slack-bolt against the Slack fake: Web API calls, file uploads, Socket Mode, errors."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.say.async_say import AsyncSay
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import FakeSlack, signed_headers

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def web_client(fake: FakeSlack, token: str | None = None) -> AsyncWebClient:
    return AsyncWebClient(token=token or fake.bot_token, base_url=fake.api_url)


async def test_web_api_calls_are_answered_and_recorded(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    identity = await client.auth_test()
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*BTC* 64000"}}]
    posted = await client.chat_postMessage(channel="C0TEAM", text="BTC 64000", blocks=blocks)
    ephemeral = await client.chat_postEphemeral(channel="C0TEAM", user="U0TRADER", text="only you")
    opened = await client.conversations_open(users="U0TRADER")
    updated = await client.chat_update(channel="C0TEAM", ts=posted["ts"], text="done", blocks=[])

    assert identity["user_id"] == "U0BOT" and identity["team_id"] == "T0TEAM"
    assert posted["message"]["blocks"] == blocks and posted["channel"] == "C0TEAM"
    post = fake_slack.requests("chat.postMessage")[0]
    assert post.body["blocks"] == blocks and post.headers["authorization"] == f"Bearer {fake_slack.bot_token}"
    assert fake_slack.requests("chat.postEphemeral")[0].body["user"] == "U0TRADER"
    assert ephemeral["message_ts"]
    assert opened["channel"]["id"].startswith("D")
    assert updated["ts"] == posted["ts"] and updated["text"] == "done"


async def test_files_upload_v2_runs_the_three_step_external_upload(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    result = await client.files_upload_v2(
        channel="C0TEAM", content=PNG, filename="pnl.png", title="PnL", initial_comment="today"
    )
    steps = [name for name in fake_slack.journal.names() if name != "auth.test"]
    assert steps[:3] == ["files.getUploadURLExternal", "file.upload", "files.completeUploadExternal"]
    file_id = fake_slack.requests("files.getUploadURLExternal")[0].response["file_id"]
    assert fake_slack.uploaded[file_id] == PNG
    complete = fake_slack.requests("files.completeUploadExternal")[0].body
    assert complete["files"] == [{"id": file_id, "title": "PnL"}]
    assert complete["channel_id"] == "C0TEAM" and complete["initial_comment"] == "today"
    assert result["file"]["id"] == file_id


async def test_socket_mode_delivers_envelopes_and_records_acks(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    app = AsyncApp(client=client)

    @app.event("app_mention")
    async def mention(event: dict, say: AsyncSay) -> None:
        await say(f"heard {event['text'].split(maxsplit=1)[1]}")

    @app.command("/trade")
    async def trade(ack: AsyncAck, command: dict) -> None:
        await ack(f"working on {command['text']}")

    @app.action("confirm")
    async def confirm(ack: AsyncAck, body: dict, client: AsyncWebClient) -> None:
        await ack()
        await client.chat_update(channel=body["channel"]["id"], ts=body["message"]["ts"], text="confirmed")

    handler = AsyncSocketModeHandler(app, fake_slack.app_token)
    await handler.connect_async()
    try:
        mention_id = fake_slack.push_app_mention("price BTC")
        mention_ack = await fake_slack.wait_for_ack(mention_id)
        said = await fake_slack.wait_for("chat.postMessage")
        command_ack = await fake_slack.wait_for_ack(fake_slack.push_slash_command("buy 0.1 BTC"))
        action_id = fake_slack.push_block_action("confirm", "yes", message=said.response["message"])
        action_ack = await fake_slack.wait_for_ack(action_id)
        update = await fake_slack.wait_for("chat.update")
    finally:
        await handler.close_async()

    assert fake_slack.requests("apps.connections.open")[0].headers["authorization"] == f"Bearer {fake_slack.app_token}"
    assert mention_ack.body == {"envelope_id": mention_id}
    assert 0 < mention_ack.at - fake_slack.pushed_at[mention_id] < 3.0
    assert said.body["channel"] == "C0TEAM" and said.body["text"] == "heard price BTC"
    assert command_ack.body["payload"] == {"text": "working on buy 0.1 BTC"}
    assert action_ack.body == {"envelope_id": action_id}
    assert update.body["ts"] == said.response["ts"] and update.status == 200


async def test_envelopes_pushed_before_connecting_are_delivered_on_connect(fake_slack: FakeSlack) -> None:
    app = AsyncApp(client=web_client(fake_slack))
    seen: list[str] = []

    @app.event("message")
    async def on_message(event: dict) -> None:
        seen.append(event["text"])

    first = fake_slack.push_message_event("portfolio")
    resent = fake_slack.push_event(
        {"type": "message", "user": "U0TRADER", "text": "again", "channel": "D0DM", "channel_type": "im"},
        event_id="Ev0SAME",
        retry_attempt=1,
        retry_reason="timeout",
    )
    handler = AsyncSocketModeHandler(app, fake_slack.app_token)
    await handler.connect_async()
    try:
        await fake_slack.wait_for_ack(first)
        await fake_slack.wait_for_ack(resent)
    finally:
        await handler.close_async()
    assert seen == ["portfolio", "again"]


async def test_rate_limit_answers_429_with_retry_after(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)
    with pytest.raises(SlackApiError) as raised:
        await web_client(fake_slack).chat_postMessage(channel="C0TEAM", text="hi")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "1"
    assert raised.value.response["error"] == "ratelimited"

    fake_slack.fail_next("chat.postMessage", status=429, retry_after=0)
    fake_slack.fail_next("chat.postMessage", status=503)
    client = web_client(fake_slack)
    quick = FixedValueRetryIntervalCalculator(0.05)
    client.retry_handlers.extend(
        [AsyncRateLimitErrorRetryHandler(), AsyncServerErrorRetryHandler(max_retry_count=2, interval_calculator=quick)]
    )
    posted = await client.chat_postMessage(channel="C0TEAM", text="hi")
    assert posted["ok"] is True
    assert [r.status for r in fake_slack.requests("chat.postMessage")] == [429, 429, 503, 200]


async def test_tokens_are_checked(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as wrong:
        await web_client(fake_slack, "xoxb-wrong").auth_test()
    with pytest.raises(SlackApiError) as app_token_for_chat:
        await web_client(fake_slack, fake_slack.app_token).chat_postMessage(channel="C0TEAM", text="x")
    with pytest.raises(SlackApiError) as missing_text, pytest.warns(UserWarning, match="text"):
        await web_client(fake_slack).chat_postMessage(channel="C0TEAM")
    assert wrong.value.response["error"] == "invalid_auth"
    assert app_token_for_chat.value.response["error"] == "not_allowed_token_type"
    assert missing_text.value.response["error"] == "no_text"


def test_signed_headers_match_slack_signature_scheme() -> None:
    from slack_sdk.signature import SignatureVerifier

    body = b"token=x&command=%2Ftrade&text=price+BTC"
    headers = signed_headers(body, signing_secret="shh")
    verifier = SignatureVerifier("shh")
    assert verifier.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    stale = signed_headers(body, signing_secret="shh", timestamp=1)
    assert not verifier.is_valid(body, stale["X-Slack-Request-Timestamp"], stale["X-Slack-Signature"])


async def test_http_mode_accepts_signed_requests_and_refuses_bad_signatures(fake_slack: FakeSlack) -> None:
    app = AsyncApp(client=web_client(fake_slack), signing_secret="shh")

    @app.command("/trade")
    async def trade(ack: AsyncAck, command: dict, say: AsyncSay) -> None:
        await ack(f"working on {command['text']}")
        await say(f"done {command['text']}")

    handler = AsyncSlackRequestHandler(app)
    api = FastAPI()

    @api.post("/slack/events")
    async def events(request: Request) -> Response:
        return await handler.handle(request)

    body = b"command=%2Ftrade&text=price+BTC&user_id=U0TRADER&channel_id=C0TEAM&team_id=T0TEAM&trigger_id=1.2"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url="http://tradehub") as http:
        good = await http.post(
            "/slack/events", content=body, headers={**form, **signed_headers(body, signing_secret="shh")}
        )
        forged = await http.post(
            "/slack/events", content=body, headers={**form, **signed_headers(body, signing_secret="x")}
        )
        said = await fake_slack.wait_for("chat.postMessage")

    assert good.status_code == 200 and good.text == "working on price BTC"
    assert forged.status_code == 401
    assert said.body["text"] == "done price BTC"
    assert len(fake_slack.requests("chat.postMessage")) == 1


async def test_block_kit_is_validated_like_slack(fake_slack: FakeSlack) -> None:
    from slack_sdk.models.blocks import ActionsBlock, ButtonElement, HeaderBlock, SectionBlock

    blocks = [
        HeaderBlock(text="Confirm order"),
        SectionBlock(text="*buy* 0.5 BTC at market"),
        ActionsBlock(elements=[ButtonElement(text="Confirm", action_id="confirm", value="t1", style="primary")]),
    ]
    client = web_client(fake_slack)
    posted = await client.chat_postMessage(channel="C0TEAM", text="Confirm order", blocks=blocks)
    bad = [{"type": "header", "text": {"type": "mrkdwn", "text": "*no*"}}]
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C0TEAM", text="x", blocks=bad)
    assert posted["ok"] is True and posted["message"]["blocks"][2]["elements"][0]["action_id"] == "confirm"
    assert raised.value.response["error"] == "invalid_blocks"
    assert raised.value.response["errors"] == ["must be a plain_text text object [json-pointer:/blocks/0/text]"]
