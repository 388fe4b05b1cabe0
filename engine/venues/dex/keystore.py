"""Unlock the wallet from an encrypted keystore, once, at start; the key never leaves the account."""

from __future__ import annotations

from eth_account import Account
from eth_account.signers.local import LocalAccount

from engine.errors import OperatorError


def unlock(keystore_json: str, password: str) -> LocalAccount:
    """Decrypt ``keystore_json``; a wrong password or a malformed file is an operator error."""
    try:
        key = Account.decrypt(keystore_json, password)
    except (ValueError, KeyError, TypeError) as error:
        raise OperatorError(f"cannot unlock the DEX wallet keystore ({type(error).__name__})") from None
    return Account.from_key(key)


def encrypt(private_key: str | bytes, password: str, *, iterations: int | None = None) -> str:
    """Return keystore JSON for ``private_key`` (pbkdf2 when ``iterations`` is given, else scrypt)."""
    import json

    if iterations is None:
        return json.dumps(Account.encrypt(private_key, password))
    return json.dumps(Account.encrypt(private_key, password, kdf="pbkdf2", iterations=iterations))
