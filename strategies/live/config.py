"""Settings of the live strategy runner (``TRADEHUB_STRATEGY_*`` environment variables)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class StrategySettings(BaseSettings):
    """``catch_up_bars``: how many of the bars completed since an instance's last step it evaluates
    (the most recent ones). Beat runs ``tradehub.strategies_step`` every 60 s (hub/app/worker.py)."""

    model_config = SettingsConfigDict(env_prefix="TRADEHUB_STRATEGY_", frozen=True)

    catch_up_bars: int = Field(default=1, ge=1, le=1000)
