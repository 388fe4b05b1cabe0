"""Convert ccxt exceptions into ``engine.errors`` at the adapter boundary, without secrets.

ccxt messages carry the request URL (query string with signature and sometimes the API key) and
the raw response body, which some exchanges fill with what the request contained. ``scrub``
removes URL queries and every credential string before any text leaves the adapter.
"""

from __future__ import annotations

import re

import ccxt

from engine.errors import (
    InsufficientBalance,
    NotFound,
    OperatorError,
    OrderRejectedByVenue,
    TradehubError,
    UnknownSymbol,
    VenueError,
    VenueUnavailable,
)

_URL_QUERY = re.compile(r"(https?://[^\s?\"']+)\?[^\s\"']*")
_SIGNATURE_FIELD = re.compile(r"(?i)(signature|sign|apikey|api_key|passphrase)=[^&\s\"']+")
_MAX_DETAIL = 300

# ccxt exceptions a retry can cure; ccxt's own hierarchy puts all of them under NetworkError.
RETRYABLE = (ccxt.NetworkError,)


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """Return ``text`` without URL query strings, signature fields or any of ``secrets``."""
    cleaned = _URL_QUERY.sub(r"\1", text)
    cleaned = _SIGNATURE_FIELD.sub(r"\1=***", cleaned)
    for secret in secrets:
        if secret:
            cleaned = cleaned.replace(secret, "***")
    if len(cleaned) > _MAX_DETAIL:
        cleaned = cleaned[:_MAX_DETAIL] + "..."
    return cleaned


def is_order_not_found(error: BaseException, markers: tuple[str, ...]) -> bool:
    """True when ``error`` says the order does not exist (typed by ccxt or by exchange code)."""
    if isinstance(error, ccxt.OrderNotFound):
        return True
    return isinstance(error, ccxt.ExchangeError) and any(marker in str(error) for marker in markers)


def is_duplicate_client_id(error: BaseException, markers: tuple[str, ...]) -> bool:
    if isinstance(error, ccxt.DuplicateOrderId):
        return True
    return isinstance(error, ccxt.ExchangeError) and any(marker in str(error) for marker in markers)


def convert(error: BaseException, *, venue: str, action: str, secrets: tuple[str, ...]) -> TradehubError:
    """Map a ccxt exception to the engine's tree with a message fit to show a user."""
    detail = scrub(str(error), secrets)
    where = f"{venue}: {action} failed"
    if isinstance(error, ccxt.NetworkError):
        limited = isinstance(error, ccxt.DDoSProtection | ccxt.RateLimitExceeded)
        kind = "rate limited" if limited else "unreachable"
        code = "venue_rate_limited" if limited else None
        return VenueUnavailable(f"{where}: exchange {kind} ({type(error).__name__}): {detail}", code=code)
    if isinstance(error, ccxt.InsufficientFunds):
        return InsufficientBalance(f"{where}: insufficient balance on {venue}: {detail}")
    if isinstance(error, ccxt.BadSymbol):
        return UnknownSymbol(f"{where}: symbol not traded on {venue}: {detail}")
    if isinstance(error, ccxt.OrderNotFound):
        return NotFound(f"{where}: {venue} has no such order")
    if isinstance(error, ccxt.AuthenticationError | ccxt.PermissionDenied | ccxt.AccountSuspended):
        return VenueError(
            f"{where}: {venue} refused the API credentials or permissions ({type(error).__name__}); "
            "check the key, its permissions and IP whitelist",
            code="venue_auth_failed",
        )
    if isinstance(error, ccxt.InvalidOrder | ccxt.BadRequest | ccxt.OperationRejected):
        return OrderRejectedByVenue(f"{where}: {venue} rejected the request: {detail}")
    if isinstance(error, ccxt.NotSupported):
        return OperatorError(f"{where}: not supported by {venue} through ccxt: {detail}")
    if isinstance(error, ccxt.BaseError):
        return VenueError(f"{where}: {type(error).__name__}: {detail}")
    return OperatorError(f"{where}: unexpected {type(error).__name__}: {scrub(str(error), secrets)}")
