"""Wire formats at the Telegram edge: the webhook body and our inline-keyboard callback data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.errors import UserInputError

CONFIRM_PREFIX = "tradehub:confirm:"
CANCEL_PREFIX = "tradehub:cancel:"
RUN_PREFIX = "tradehub:run:"
MAX_CALLBACK_DATA_BYTES = 64  # Telegram's limit on callback_data


class WebhookUpdate(BaseModel):
    """The part of an Update we check before handing it to python-telegram-bot."""

    model_config = ConfigDict(extra="allow", frozen=True)

    update_id: int = Field(ge=0, lt=2**63)


def parse_webhook_body(raw: bytes) -> dict[str, Any]:
    """Decode a webhook delivery into the Update dict; ``UserInputError`` names what is wrong."""
    try:
        decoded = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise UserInputError(f"body: invalid JSON ({error})", code="invalid_update") from None
    if not isinstance(decoded, dict):
        raise UserInputError("body: an Update must be a JSON object", code="invalid_update")
    try:
        WebhookUpdate.model_validate(decoded)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, item['loc'])) or 'body'}: {item['msg']}" for item in error.errors())
        raise UserInputError(problems, code="invalid_update") from None
    return decoded


@dataclass(frozen=True, slots=True)
class ButtonAction:
    """What an inline-keyboard button asks for: confirm or cancel a confirmation, or run a command."""

    kind: Literal["confirm", "cancel", "run"]
    value: str


def parse_callback_data(data: str | None) -> ButtonAction | None:
    """Our buttons' ``callback_data``; ``None`` for anything else (an old or foreign keyboard)."""
    if not data:
        return None
    for prefix, kind in ((CONFIRM_PREFIX, "confirm"), (CANCEL_PREFIX, "cancel"), (RUN_PREFIX, "run")):
        if data.startswith(prefix) and len(data) > len(prefix):
            return ButtonAction(kind, data[len(prefix) :])  # type: ignore[arg-type]
    return None


def confirm_data(confirmation_id: str) -> str:
    return _checked(CONFIRM_PREFIX + confirmation_id)


def cancel_data(confirmation_id: str) -> str:
    return _checked(CANCEL_PREFIX + confirmation_id)


def _checked(data: str) -> str:
    if len(data.encode()) > MAX_CALLBACK_DATA_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_DATA_BYTES} bytes: {data[:80]!r}")
    return data
