"""``post_blocks``: team messages (risk alerts) posted with the bot token, and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bots.slack.post import post_blocks
from engine.errors import OperatorError, TemporaryError
from hub.app.settings import Settings
from tests.conftest import make_settings
from tests.fakes.slack import FakeSlack

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Daily loss* 1,200 USDT over the 1,000 budget"}}]


async def test_posts_blocks_to_the_channel_and_returns_the_message_ts(
    settings: Settings, fake_slack: FakeSlack
) -> None:
    ts = await post_blocks(settings, "C0RISK", "Daily loss over budget", BLOCKS)

    posted = fake_slack.requests("chat.postMessage")[0]
    assert posted.body["blocks"] == BLOCKS and posted.body["channel"] == "C0RISK"
    assert posted.headers["authorization"] == f"Bearer {fake_slack.bot_token}"
    assert ts == posted.response["ts"]


async def test_rate_limit_is_waited_out_and_the_alert_posted_once(settings: Settings, fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)

    ts = await post_blocks(settings, "C0RISK", "Daily loss over budget", BLOCKS)

    assert [entry.status for entry in fake_slack.requests("chat.postMessage")] == [429, 200]
    assert ts == fake_slack.requests("chat.postMessage")[1].response["ts"]


async def test_slack_down_after_retries_is_a_temporary_error(settings: Settings, fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("chat.postMessage", status=503, times=10)

    with pytest.raises(TemporaryError, match="503"):
        await post_blocks(settings, "C0RISK", "Daily loss over budget", BLOCKS)
    assert len(fake_slack.requests("chat.postMessage")) == 4  # the first attempt and three retries


async def test_refused_message_names_the_reason_without_the_token(settings: Settings, fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("chat.postMessage", status=200, error="channel_not_found")

    with pytest.raises(OperatorError, match="channel_not_found") as raised:
        await post_blocks(settings, "C0GONE", "Daily loss over budget", BLOCKS)
    assert fake_slack.bot_token not in str(raised.value)


async def test_without_a_bot_token_nothing_is_sent(tmp_path: Path, fake_slack: FakeSlack) -> None:
    bare = make_settings(tmp_path, slack_api_url=fake_slack.api_url)

    with pytest.raises(OperatorError, match="TRADEHUB_SLACK_BOT_TOKEN"):
        await post_blocks(bare, "C0RISK", "Daily loss over budget", BLOCKS)
    assert fake_slack.requests() == []
