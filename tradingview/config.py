"""Typed TradingView settings from ``TRADEHUB_TRADINGVIEW_*`` environment variables.

``TRADEHUB_TRADINGVIEW_TRUSTED_PROXIES='["10.0.0.2"]'`` names the reverse proxies whose
``X-Forwarded-For`` is believed; ``TRADEHUB_TRADINGVIEW_ALLOWED_IPS='["tradingview"]'`` restricts
every hook to TradingView's published addresses (a hook may add its own list).
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The addresses TradingView sends webhooks from (https://www.tradingview.com/support/solutions/43000529348).
TRADINGVIEW_IPS: tuple[str, ...] = ("52.89.214.238", "34.212.75.30", "54.218.53.128", "52.32.178.7")
#: The common name of the client certificate TradingView presents over HTTPS.
TRADINGVIEW_CERT_CN = "TradingView Webhooks"


class TradingViewSettings(BaseSettings):
    """Idempotency window, age limit, rate limit default, source checks and the write batch size."""

    model_config = SettingsConfigDict(env_prefix="TRADEHUB_TRADINGVIEW_", frozen=True, extra="ignore")

    dedupe_window_s: int = Field(60, ge=1, le=86_400, description="Identical bodies within this window trade once")
    max_lag_s: int = Field(300, ge=1, description="Refuse alerts whose time is older than this")
    future_skew_s: int = Field(60, ge=0, description="Tolerated clock skew for alert times in the future")
    rate_limit: str = Field("60/minute", pattern=r"^\d+/(second|minute|hour)$", description="Default per hook")
    trusted_proxies: tuple[str, ...] = ()
    allowed_ips: tuple[str, ...] = ()
    require_client_cert: bool = False
    client_cert_header: str = "X-SSL-Client-S-DN"
    client_cert_cn: str = TRADINGVIEW_CERT_CN
    write_batch: int = Field(256, ge=1, le=10_000)
    write_in_thread: bool = Field(True, description="Commit alert batches in a thread (else on the event loop)")
    execute: bool = Field(True, description="Execute alerts in this process (off: only record them)")
    gc_freeze: bool = Field(True, description="At start, exempt the app's long-lived objects from garbage collection")


def expand_ips(addresses: tuple[str, ...] | list[str] | None) -> frozenset[str]:
    """The word ``tradingview`` stands for TradingView's published addresses."""
    expanded: set[str] = set()
    for address in addresses or ():
        if address.strip().lower() == "tradingview":
            expanded.update(TRADINGVIEW_IPS)
        elif address.strip():
            expanded.add(address.strip())
    return frozenset(expanded)
