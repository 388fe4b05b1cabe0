"""Typed webhook settings from the environment (``TRADEHUB_WEBHOOK_*``)."""

from __future__ import annotations

from functools import cached_property

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Standard Webhooks' recommendation: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h.
DEFAULT_SCHEDULE = "0,5,300,1800,7200,18000,36000,50400,72000,86400"


class WebhookSettings(BaseSettings):
    """``TRADEHUB_WEBHOOK_RETRY_SCHEDULE`` is comma-separated seconds before each attempt;
    ``TRADEHUB_WEBHOOK_ALLOWED_HOSTS`` comma-separated host names or CIDRs exempt from the SSRF guard."""

    model_config = SettingsConfigDict(env_prefix="TRADEHUB_WEBHOOK_", frozen=True)

    retry_schedule: str = DEFAULT_SCHEDULE
    jitter: float = Field(default=0.1, ge=0, le=1)
    timeout_s: float = Field(default=15.0, gt=0)
    allowed_hosts: str = ""
    disable_after_s: int = Field(default=5 * 86_400, ge=0)
    rotation_overlap_s: int = Field(default=86_400, ge=0)
    batch_size: int = Field(default=500, ge=1)
    concurrency: int = Field(default=200, ge=1)
    response_excerpt: int = Field(default=500, ge=0)
    poll_interval_s: float = Field(default=1.0, gt=0)
    queue_window_s: float = Field(default=300.0, gt=0)  # a queued task is presumed alive this long
    coalesce_s: float = Field(default=0.02, ge=0)  # after a wake-up, gather events this long into one pass
    pump: bool = True  # relay + sweep thread inside `tradehub serve`
    lease_margin_s: float = Field(default=5.0, ge=0)

    @cached_property
    def schedule(self) -> tuple[float, ...]:
        """Seconds to wait before attempt 1, 2, ...; its length is the number of attempts."""
        delays = tuple(float(part) for part in self.retry_schedule.split(",") if part.strip())
        if not delays or any(delay < 0 for delay in delays):
            raise ValueError("TRADEHUB_WEBHOOK_RETRY_SCHEDULE needs non-negative seconds, comma-separated")
        return delays

    @cached_property
    def allowed(self) -> tuple[str, ...]:
        return tuple(part.strip().lower() for part in self.allowed_hosts.split(",") if part.strip())
