"""``sentiment SYMBOL`` from chat and REST reads the sentiment pipeline's stored, scored posts."""

from __future__ import annotations

import httpx

from hub.principals import Role
from sentiment.models import Post
from tests.conftest import START_MS, LiveServer
from tests.kit.hubdriver import HubDriver


def ingest(hub: HubDriver) -> None:
    service = hub.container.services.sentiment
    assert service is not None
    posts = [
        Post(source="rss", external_id=f"p{i}", text=text, created_ms=START_MS - i * 600_000, author="a",
             engagement=10)
        for i, text in enumerate([
            "$BTC breaking out, bulls are back, this is going to the moon 🚀",
            "Bitcoin short squeeze incoming, shorts liquidated everywhere",
            "BTC looking strong after the ETF news",
        ])
    ]  # fmt: skip
    service.ingest(posts)


async def test_sentiment_reply_has_index_posts_and_chart(hub: HubDriver) -> None:
    ingest(hub)
    reply = await hub.push("sentiment BTC")
    assert reply.ok, reply.text
    assert reply.data["symbol"] == "BTC" and reply.data["index"] > 0.15
    assert reply.data["post_volume_24h"] == 3 and len(reply.data["top_posts"]) == 3
    assert reply.data["regime"] in ("bull", "bear", "sideways")
    assert "bullish" in reply.text
    assert reply.image is not None and reply.image.startswith(b"\x89PNG")


async def test_sentiment_without_posts_is_neutral_not_an_error(hub: HubDriver) -> None:
    reply = await hub.push("sentiment ETH")
    assert reply.ok and reply.data["post_volume_24h"] == 0 and "no posts" in reply.text


def test_sentiment_over_rest(hub: HubDriver) -> None:
    from hub.app.api import create_app

    ingest(hub)
    hub.add_user("viewer", Role.VIEWER)
    key = hub.container.services.users.create_key("viewer")
    with LiveServer(create_app(hub.container)) as server:
        headers = {"Authorization": f"Bearer {key}"}
        body = httpx.get(f"{server.url}/api/v1/sentiment/BTC", headers=headers, timeout=30).json()
        bad = httpx.get(f"{server.url}/api/v1/sentiment/{'x' * 40}", headers=headers, timeout=30)
    assert body["symbol"] == "BTC" and body["post_volume_24h"] == 3
    assert bad.status_code == 400
