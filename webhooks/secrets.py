"""Endpoint secrets at rest: Fernet-encrypted, so the database alone never yields a signing key.

The key is ``TRADEHUB_MASTER_KEY`` when set (share it between every process). Without it a key is
generated once into ``$TRADEHUB_HOME/webhooks.key`` (mode 0600) and read from there by every
process on the same machine.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from engine.errors import OperatorError


def _key_file(home: Path) -> bytes:
    path = home / "webhooks.key"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        key = Fernet.generate_key()
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race: use its key
            return path.read_bytes().strip()
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key)
        return key
    return path.read_bytes().strip()


class SecretBox:
    """Encrypts and decrypts endpoint secrets."""

    def __init__(self, *, master_key: str | None, home: Path) -> None:
        self._fernet = Fernet(master_key.encode() if master_key else _key_file(home))

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise OperatorError("a webhook secret cannot be decrypted: TRADEHUB_MASTER_KEY changed?") from None
