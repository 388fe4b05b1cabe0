"""Where posts come from: X, Reddit, RSS/Atom feeds and opted-in chat channels.

Each source has a frozen config (base URL, credentials, pacing), a `fetch() -> list[Post]`
that raises only `sentiment.errors.SourceError`, polite throttling, backoff on 429 and cursors
so a poll only returns what is new. Library imports (tweepy, praw, feedparser) stay inside the
modules, so importing this package never needs them.
"""
