"""Configuration from ``TRADEHUB_*`` environment variables, validated once at start."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRADEHUB_", frozen=True, extra="ignore")

    home: Path = Field(Path(".tradehub"), description="Where the embedded database and broker live")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default sqlite under HOME")
    redis_url: str | None = Field(None, description="Redis for Celery, rate limits and event fan-out")
    master_key: SecretStr | None = Field(None, description="Fernet key that encrypts stored credentials")
    log_level: str = Field("info", pattern="^(debug|info|warning|error)$")
    log_json: bool = False

    confirm_above_usd: Decimal = Field(Decimal("1000"), ge=0, description="Ask to confirm trades above this")
    paper_balance: Decimal = Field(Decimal("10000"), ge=0, description="USDT a new paper account starts with")
    paper_fee_rate: Decimal = Field(Decimal("0.001"), ge=0, lt=Decimal("0.1"))
    paper_slippage_bps: Decimal = Field(Decimal("5"), ge=0, le=1000)
    replay_speed: float = Field(60.0, gt=0, le=1_000_000, description="Replayed seconds per real second")
    tick_interval_s: float = Field(1.0, gt=0, le=3600)

    max_order_notional: Decimal = Field(Decimal("250000"), gt=0)
    max_position_notional: Decimal = Field(Decimal("1000000"), gt=0)
    daily_loss_limit: Decimal = Field(Decimal("10000"), gt=0)
    allowed_symbols: Annotated[tuple[str, ...] | None, NoDecode] = None

    rate_limit: str = Field("120/minute", pattern=r"^\d+/(second|minute|hour)$", description="Per API key")
    max_body_bytes: int = Field(65_536, gt=0)
    embedded_worker: bool = True

    telegram_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    discord_token: SecretStr | None = None
    discord_public_key: str | None = None
    discord_api_url: str = "https://discord.com/api/v10"

    @field_validator("allowed_symbols", mode="before")
    @classmethod
    def _split_symbols(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(s.strip().upper() for s in value.split(",") if s.strip()) or None
        return value

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'tradehub.db').resolve()}"


def describe_errors(error: ValidationError) -> list[str]:
    """One line per wrong value, named as the environment variable the user set."""
    lines = []
    for item in error.errors():
        name = "TRADEHUB_" + "_".join(str(part) for part in item["loc"]).upper()
        lines.append(f"{name}: {item['msg']}")
    return lines
