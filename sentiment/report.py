"""Render a `SentimentSnapshot` for chat replies and the REST API (`GET /api/v1/sentiment/{symbol}`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sentiment.models import SentimentSnapshot

_MAX_POST_CHARS = 140


def _mood(index: float) -> str:
    if index >= 0.5:
        return "very bullish"
    if index >= 0.15:
        return "bullish"
    if index <= -0.5:
        return "very bearish"
    if index <= -0.15:
        return "bearish"
    return "neutral"


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _MAX_POST_CHARS else flat[: _MAX_POST_CHARS - 1] + "…"


def snapshot_text(snapshot: SentimentSnapshot) -> str:
    """A few lines for a chat reply: index, 24 h change, volume, z-score, regime and top posts."""
    index = snapshot.index * 100
    change = snapshot.change_24h * 100
    lines = [
        f"{snapshot.symbol} sentiment {index:+.0f}/100 ({_mood(snapshot.index)}), 24h {change:+.0f}",
        f"posts 24h: {snapshot.post_volume_24h}, change z-score {snapshot.z_score:+.1f}"
        + (f", regime: {snapshot.regime.value}" if snapshot.regime else ""),
    ]
    if snapshot.post_volume_24h == 0:
        lines.append("no posts in the last 24h")
    for item in snapshot.top_posts:
        lines.append(f"• [{item.post.source}] {item.score.score:+.2f} {_short(item.post.text)}")
    return "\n".join(lines)


def snapshot_payload(snapshot: SentimentSnapshot) -> dict[str, Any]:
    """JSON-ready dict of the snapshot (timestamps in ms and ISO 8601 UTC)."""
    return {
        "symbol": snapshot.symbol,
        "index": snapshot.index,
        "change_24h": snapshot.change_24h,
        "post_volume_24h": snapshot.post_volume_24h,
        "z_score": snapshot.z_score,
        "regime": snapshot.regime.value if snapshot.regime else None,
        "as_of_ms": snapshot.as_of_ms,
        "as_of": datetime.fromtimestamp(snapshot.as_of_ms / 1000, tz=UTC).isoformat(),
        "top_posts": [
            {
                "source": item.post.source,
                "id": item.post.external_id,
                "text": item.post.text,
                "url": item.post.url,
                "author": item.post.author,
                "created_ms": item.post.created_ms,
                "engagement": item.post.engagement,
                "label": item.score.label.value,
                "score": item.score.score,
                "cues": list(item.score.cues),
            }
            for item in snapshot.top_posts
        ],
    }
