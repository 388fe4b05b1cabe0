"""Copy-trading settings (environment prefix ``TRADEHUB_COPYTRADE_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CopyTradeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRADEHUB_COPYTRADE_", frozen=True, extra="ignore")

    batch_size: int = Field(100, ge=1, le=5000, description="Followers whose copies share one transaction")
    stale_after_s: int = Field(600, ge=1, description="A leader fill older than this is skipped, not copied")
    lookback_s: int = Field(86_400, ge=60, description="How far back the recovery sweep looks for leader fills")
    sweep_interval_s: float = Field(30.0, gt=0, description="How often the server looks for unfinished fan-outs")
    discord_timeout_s: float = Field(5.0, gt=0, description="Timeout of a post to a leader's Discord channel")
