"""Errors of the sentiment pipeline.

    SentimentError
     +-- SourceError              a source could not deliver posts this round
     |    +-- SourceUnavailable   temporary: network failure, 5xx, 429 after retries (retry later)
     |    +-- MalformedResponse   the API answered with something we cannot parse
     +-- ScorerUnavailable        a scorer backend is missing (extra not installed, bad model dir)

Sources convert library exceptions (tweepy, prawcore, httpx) into these at their boundary.
"""

from __future__ import annotations


class SentimentError(Exception):
    """Root of the sentiment errors."""


class SourceError(SentimentError):
    """A source could not deliver posts this round."""


class SourceUnavailable(SourceError):
    """Temporary failure (network, 5xx, rate limit after backoff): try again next round."""


class MalformedResponse(SourceError):
    """The remote API answered with a payload we cannot parse."""


class ScorerUnavailable(SentimentError):
    """A scorer backend cannot be built (missing extra, unusable model directory)."""
