from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from sentiment import storage
from sentiment.scorers.vader import CryptoVaderScorer
from sentiment.service import SentimentService, poll_sources
from sentiment.sources.chat import ChatChannelSource, ChatMessage

NOW = 1_709_294_400_000


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'chat.db'}")
    storage.create_tables(engine)
    return engine


def message(channel: str, message_id: str, text: str, platform: str = "slack") -> ChatMessage:
    return ChatMessage(platform, channel, message_id, text, "alice", NOW, reactions=2)


def test_only_opted_in_channels_are_kept(engine) -> None:
    chat = ChatChannelSource(engine, lambda: NOW)
    assert chat.offer(message("C1", "1", "ETH looking bullish")) is False
    chat.opt_in("Slack", "C1")
    assert chat.offer(message("C1", "2", "ETH looking bullish")) is True
    assert chat.offer(message("C2", "3", "ETH looking bullish")) is False
    assert chat.offer(message("C1", "4", "/price ETH")) is False
    posts = chat.fetch()
    assert [(p.external_id, p.channel, p.symbols, p.engagement) for p in posts] == [
        ("slack:C1:2", "slack:C1", ("ETH",), 2)
    ]
    assert chat.fetch() == []
    chat.opt_out("slack", "C1")
    assert chat.offer(message("C1", "5", "ETH dumping")) is False


def test_unknown_platform_is_rejected(engine) -> None:
    with pytest.raises(ValueError, match="platform"):
        ChatChannelSource(engine, lambda: NOW).opt_in("irc", "#btc")


def test_chat_messages_flow_into_the_index(engine) -> None:
    chat = ChatChannelSource(engine, lambda: NOW)
    chat.opt_in("telegram", "-100")
    chat.offer(message("-100", "1", "SOL shorts liquidated, squeeze incoming 🚀", platform="telegram"))
    service = SentimentService(CryptoVaderScorer(), engine, lambda: NOW)
    report = poll_sources(service, [chat])
    assert report.inserted == {"chat": 1}
    assert service.snapshot("SOL").index > 0.3
