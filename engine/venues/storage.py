"""The ``venue_accounts`` table on its own ``metadata``: one row per configured exchange account or wallet.

Non-secret configuration (exchange id, sandbox flag, API base URL, chain, router, tokens) is plain
JSON so it can be listed without the master key; the secrets (API key, secret, passphrase, wallet
keystore and its password) are one Fernet token in ``secrets``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, Integer, MetaData, String, Table, Text, delete, insert, select

metadata = MetaData()

venue_accounts = Table(
    "venue_accounts",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("owner_user_id", Integer, nullable=False, index=True),
    Column("kind", String(8), nullable=False),  # ccxt | dex
    Column("config", Text, nullable=False),  # JSON, no secrets
    Column("secrets", Text, nullable=False),  # Fernet token of a JSON object
    Column("hint", String(64), nullable=False),  # masked API key or wallet address
    Column("created_ms", BigInteger, nullable=False),
)


@dataclass(frozen=True, slots=True)
class StoredAccount:
    """One row: what may be listed (``config``, ``hint``) plus the sealed secrets."""

    name: str
    owner_user_id: int
    kind: str
    config: dict[str, Any]
    sealed: str
    hint: str
    created_ms: int


def _from_row(row: Any) -> StoredAccount:
    return StoredAccount(
        row.name, row.owner_user_id, row.kind, json.loads(row.config), row.secrets, row.hint, row.created_ms
    )


def insert_account(conn: Connection, account: StoredAccount) -> None:
    conn.execute(
        insert(venue_accounts).values(
            name=account.name, owner_user_id=account.owner_user_id, kind=account.kind,
            config=json.dumps(account.config, sort_keys=True), secrets=account.sealed, hint=account.hint,
            created_ms=account.created_ms,
        )
    )  # fmt: skip


def get_account(conn: Connection, name: str) -> StoredAccount | None:
    row = conn.execute(select(venue_accounts).where(venue_accounts.c.name == name)).first()
    return None if row is None else _from_row(row)


def list_accounts(conn: Connection, owner_user_id: int | None = None) -> list[StoredAccount]:
    query = select(venue_accounts).order_by(venue_accounts.c.name)
    if owner_user_id is not None:
        query = query.where(venue_accounts.c.owner_user_id == owner_user_id)
    return [_from_row(row) for row in conn.execute(query)]


def delete_account(conn: Connection, name: str) -> bool:
    return conn.execute(delete(venue_accounts).where(venue_accounts.c.name == name)).rowcount > 0
