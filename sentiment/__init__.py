"""Sentiment pipeline: sources -> scorers -> per-asset index -> snapshots, gates and shift events.

- `sentiment.sources`: X (tweepy), Reddit (praw), RSS/Atom (httpx + feedparser), opted-in chat channels.
- `sentiment.scorers`: crypto-aware VADER (default), a local transformers model, or an ensemble.
- `sentiment.service.SentimentService`: ingest, `snapshot`, `chart_png`, `gate`, `detect_shifts`;
  `poll_sources` is the one call a Celery beat job makes.
- `sentiment.storage`: the `sentiment_*` tables on their own `metadata`.

This package imports neither hub, engine nor strategies; it makes no trading decisions.
"""
