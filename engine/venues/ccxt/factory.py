"""Build a ccxt ``async_support`` client from a ``CcxtVenueConfig``.

The only place that instantiates a ccxt exchange; called at app start, never at import.
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import ccxt.async_support as ccxt_async
import ccxt.pro as ccxt_pro

from engine.errors import OperatorError
from engine.venues.ccxt.config import CcxtVenueConfig
from engine.venues.ccxt.logs import redact_in_ccxt_logs
from engine.venues.ccxt.profiles import profile_for


def build_exchange(config: CcxtVenueConfig) -> ccxt_async.Exchange:
    """Return a configured, not yet connected ccxt client for ``config``."""
    exchange_class = getattr(ccxt_async, config.exchange_id, None)
    if exchange_class is None or config.exchange_id not in ccxt_async.exchanges:
        raise OperatorError(f"ccxt has no exchange '{config.exchange_id}'")
    if config.websocket and config.exchange_id in ccxt_pro.exchanges:
        exchange_class = getattr(ccxt_pro, config.exchange_id)  # REST plus watch_* streams
    options = _merge(dict(profile_for(config.exchange_id).options), dict(config.options))
    settings: dict[str, Any] = {
        "enableRateLimit": config.enable_rate_limit,
        "timeout": config.timeout_ms,
        "options": options,
        "timeout_on_exit": config.close_grace_ms,
    }
    if config.rate_limit_ms is not None:
        settings["rateLimit"] = config.rate_limit_ms
    credentials = config.credentials
    redact_in_ccxt_logs(credentials.secrets())
    if credentials.api_key:
        settings["apiKey"] = credentials.api_key
    if credentials.secret:
        settings["secret"] = credentials.secret
    if credentials.password:
        settings["password"] = credentials.password
    exchange: ccxt_async.Exchange = exchange_class(settings)
    exchange.decimal_to_precision = in_local_decimal_context(exchange.decimal_to_precision)
    if config.sandbox:
        if not exchange.urls.get("test"):
            raise OperatorError(f"{config.exchange_id} has no sandbox/testnet in ccxt; unset the sandbox flag")
        exchange.set_sandbox_mode(True)
    if config.api_url:
        exchange.urls["api"] = rebase_urls(exchange.urls["api"], config.api_url)
    return exchange


def in_local_decimal_context(convert: Callable[..., Any]) -> Callable[..., Any]:
    """Run ccxt's ``decimal_to_precision`` in a copy of the decimal context.

    ccxt sets the caller's context to ROUND_HALF_UP with Underflow trapped and never restores it, so
    after the first order a venue rounded, every Decimal division in the process (P&L, average costs,
    fees) would round differently from Python's default ROUND_HALF_EVEN.
    """

    @functools.wraps(convert)
    def converted(*args: Any, **kwargs: Any) -> Any:
        with decimal.localcontext():
            return convert(*args, **kwargs)

    return converted


def rebase_urls(urls: Any, base_url: str) -> Any:
    """Replace scheme and host of every URL in ccxt's ``urls['api']`` tree (REST and websocket).

    ``{hostname}`` placeholders (okx, bybit) are replaced too, so the path layout the fake serves
    is the exchange's own.
    """
    target = urlsplit(base_url)
    if target.scheme not in ("http", "https") or not target.netloc:
        raise OperatorError("api_url must be an absolute http(s) URL")
    if isinstance(urls, str):
        parts = urlsplit(urls)
        prefix = target.path.rstrip("/")
        scheme = target.scheme
        if parts.scheme in ("ws", "wss"):  # websocket endpoints keep their kind, TLS follows the base
            scheme = "wss" if target.scheme == "https" else "ws"
        return urlunsplit((scheme, target.netloc, prefix + parts.path, parts.query, parts.fragment))
    if isinstance(urls, dict):
        return {key: rebase_urls(value, base_url) for key, value in urls.items()}
    return urls


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
