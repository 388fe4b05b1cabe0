"""Wire payloads of the webhook endpoints API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class EndpointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2048)
    events: list[str] = Field(min_length=1, max_length=50)
    description: str = Field(default="", max_length=500)
    team: bool = False  # owned by the caller's team; receives every member's events


class EndpointPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, min_length=1, max_length=2048)
    events: list[str] | None = Field(default=None, min_length=1, max_length=50)
    description: str | None = Field(default=None, max_length=500)
    paused: bool | None = None  # true pauses (deliveries are held), false resumes or re-enables


class RotateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    overlap_s: int | None = Field(default=None, ge=0, le=7 * 86_400)


class ReplayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_id: str | None = Field(default=None, max_length=64)
    since: datetime | None = None  # replay every dead delivery created at or after this time
