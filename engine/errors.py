"""The one exception tree of tradehub.

Every layer raises from this tree and every front-end converts it once (HTTP status, chat reply)::

    TradehubError                     root; never raised directly
    ├── UserInputError                the request is wrong; tell the user what to fix (HTTP 400)
    │   ├── GrammarError              the command text does not parse; may carry a "did you mean"
    │   ├── UnknownSymbol             the symbol is not traded on the venue
    │   └── RiskRejected              a pre-trade risk check refused the order (HTTP 422)
    │       └── InsufficientBalance   spot balance too small for the order
    ├── NotFound                      an id that does not exist for this user (HTTP 404)
    ├── Conflict                      the request collides with current state (HTTP 409)
    ├── PermissionDenied              the principal's role does not allow it (HTTP 403)
    ├── Unauthenticated               no or bad credentials (HTTP 401)
    ├── RateLimited                   too many requests; carries retry_after seconds (HTTP 429)
    ├── TemporaryError                worth retrying with backoff; nothing else is retried (HTTP 503)
    ├── VenueError                    the venue refused or failed
    │   ├── VenueUnavailable          (also a TemporaryError) network, 5xx, timeouts
    │   └── OrderRejectedByVenue      the venue rejected the order
    └── OperatorError                 misconfiguration or broken invariant: halt and alert (HTTP 500)

Messages are shown to users: they never contain secrets.
"""

from __future__ import annotations


class TradehubError(Exception):
    """Root of all tradehub errors. ``code`` is a stable machine-readable identifier."""

    code = "error"
    http_status = 500

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class UserInputError(TradehubError):
    code = "bad_input"
    http_status = 400


class GrammarError(UserInputError):
    code = "bad_command"

    def __init__(self, message: str, *, suggestion: str | None = None, code: str | None = None) -> None:
        if suggestion:
            message = f"{message} Did you mean `{suggestion}`?"
        super().__init__(message, code=code)
        self.suggestion = suggestion


class UnknownSymbol(UserInputError):
    code = "unknown_symbol"


class RiskRejected(UserInputError):
    code = "risk_rejected"
    http_status = 422


class InsufficientBalance(RiskRejected):
    code = "insufficient_balance"


class NotFound(TradehubError):
    code = "not_found"
    http_status = 404


class Conflict(TradehubError):
    code = "conflict"
    http_status = 409


class PermissionDenied(TradehubError):
    code = "forbidden"
    http_status = 403


class Unauthenticated(TradehubError):
    code = "unauthenticated"
    http_status = 401


class RateLimited(TradehubError):
    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TemporaryError(TradehubError):
    code = "temporarily_unavailable"
    http_status = 503


class VenueError(TradehubError):
    code = "venue_error"
    http_status = 502


class VenueUnavailable(VenueError, TemporaryError):
    code = "venue_unavailable"
    http_status = 503


class OrderRejectedByVenue(VenueError):
    code = "order_rejected"
    http_status = 422


class OperatorError(TradehubError):
    code = "operator_error"
    http_status = 500
