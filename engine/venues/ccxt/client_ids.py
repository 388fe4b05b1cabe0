"""Exchange client order ids derived deterministically from the engine's client order id.

The same engine id always maps to the same exchange id, so after a timeout the adapter can ask
the exchange for that id and find an order that was placed although the response was lost. A
hash keeps the id inside every exchange's alphabet and length (okx: 32 alphanumerics, kraken: 18
characters); the prefix marks orders placed by tradehub during reconciliation.
"""

from __future__ import annotations

import hashlib

from engine.domain import ClientOrderId
from engine.venues.ccxt.profiles import ExchangeProfile


def exchange_client_id(client_order_id: ClientOrderId | str, profile: ExchangeProfile) -> str:
    """Return the client id sent to the exchange for the engine's ``client_order_id``."""
    if not client_order_id:
        raise ValueError("client_order_id must not be empty")
    digest = hashlib.sha256(str(client_order_id).encode("utf-8")).hexdigest()
    return (profile.client_id_prefix + digest)[: profile.client_id_length]


def is_tradehub_client_id(exchange_id: str | None, profile: ExchangeProfile) -> bool:
    """True when an exchange client id has the shape of one this module derives."""
    if not exchange_id or len(exchange_id) != profile.client_id_length:
        return False
    prefix = profile.client_id_prefix
    body = exchange_id[len(prefix) :]
    return exchange_id.startswith(prefix) and all(char in "0123456789abcdef" for char in body)
