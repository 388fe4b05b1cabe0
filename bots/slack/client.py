"""The Slack Web API client: one factory, with backoff on 429 (``Retry-After``) and 5xx built in."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.config import SlackConfig


def make_web_client(config: SlackConfig, *, token: str | None = None) -> AsyncWebClient:
    """An ``AsyncWebClient`` on ``config.api_url`` that retries rate limits and server errors.

    A retried call is the same HTTP request again: Slack did not act on a 429 or 5xx answer, so a
    message is posted once. Commands never run in here, so a retry can never execute one twice.
    """
    backoff = BackoffRetryIntervalCalculator(backoff_factor=0.2)
    return AsyncWebClient(
        token=token or config.bot_token,
        base_url=config.api_url,
        timeout=10,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=backoff),
            AsyncRateLimitErrorRetryHandler(max_retry_count=config.rate_limit_retries),
            AsyncServerErrorRetryHandler(max_retry_count=config.server_error_retries, interval_calculator=backoff),
        ],
    )
