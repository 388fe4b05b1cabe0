"""What the hub answers: text for humans, structured data for programs, and optional extras."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.errors import TradehubError


@dataclass(frozen=True, slots=True)
class ConfirmationRequest:
    """Ask the same user to confirm before the hub acts (large orders, ``kill``)."""

    id: str
    prompt: str
    expires_ms: int


@dataclass(frozen=True, slots=True)
class Reply:
    ok: bool
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    confirmation: ConfirmationRequest | None = None
    image: bytes | None = None  # PNG
    error_code: str | None = None
    status: int = 200  # the HTTP status a REST front-end should use

    @classmethod
    def from_error(cls, error: TradehubError) -> Reply:
        return cls(
            ok=False,
            text=error.message,
            data={"error": {"code": error.code, "message": error.message}},
            error_code=error.code,
            status=error.http_status,
        )

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": self.ok, "text": self.text, "data": self.data}
        if self.confirmation is not None:
            body["confirmation"] = {
                "id": self.confirmation.id,
                "prompt": self.confirmation.prompt,
                "expires_ms": self.confirmation.expires_ms,
            }
        if self.error_code is not None:
            body["error"] = {"code": self.error_code, "message": self.text}
        return body
