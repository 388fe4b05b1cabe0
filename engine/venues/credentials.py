"""Venue credentials at rest: Fernet-encrypted with ``TRADEHUB_MASTER_KEY``, never shown again.

Unlike webhook secrets there is no generated fallback key: exchange keys and wallet keystores move
real money, so without a master key tradehub refuses to store or use them and says how to set one.
Secrets are sealed as one JSON document per venue account; what is shown back is a hint only
(the first characters of an API key, a wallet address).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from cryptography.fernet import Fernet, InvalidToken

from engine.errors import OperatorError

MASTER_KEY_HINT = (
    "TRADEHUB_MASTER_KEY is not set: it encrypts exchange keys and wallets at rest. Generate one with "
    "`python -c \"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())\"` "
    "and set it in every tradehub process"
)


class CredentialBox:
    """Seals and opens the secrets of venue accounts with the master key."""

    def __init__(self, master_key: str | None) -> None:
        self._master_key = master_key or None
        self._fernet: Fernet | None = None

    @property
    def ready(self) -> bool:
        return self._master_key is not None

    def _require(self) -> Fernet:
        if self._master_key is None:
            raise OperatorError(MASTER_KEY_HINT, code="master_key_missing")
        if self._fernet is None:
            try:
                self._fernet = Fernet(self._master_key.encode())
            except (ValueError, TypeError):
                raise OperatorError(
                    "TRADEHUB_MASTER_KEY is not a Fernet key (32 url-safe base64-encoded bytes)",
                    code="master_key_invalid",
                ) from None
        return self._fernet

    def seal(self, secrets: Mapping[str, str]) -> str:
        """Encrypt ``secrets`` (name -> value) into one token."""
        return self._require().encrypt(json.dumps(dict(secrets), sort_keys=True).encode()).decode()

    def open(self, token: str) -> dict[str, str]:
        """Decrypt a token made by ``seal``; a different master key is a clear operator error."""
        try:
            opened = json.loads(self._require().decrypt(token.encode()))
        except InvalidToken:
            raise OperatorError(
                "stored venue credentials cannot be decrypted: TRADEHUB_MASTER_KEY differs from the key "
                "they were stored with",
                code="master_key_mismatch",
            ) from None
        return {str(name): str(value) for name, value in opened.items()}


def hint(api_key: str) -> str:
    """What may be shown of an API key: enough to recognise it, too little to use it."""
    if len(api_key) <= 8:
        return "***"
    return f"{api_key[:4]}***"


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every non-empty secret replaced by ``***`` (for messages that leave a module)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
