"""The order lifecycle as a transition table: (state, event) -> new state. Anything else raises."""

from __future__ import annotations

from enum import StrEnum

from engine.domain import OrderStatus
from engine.errors import OperatorError


class OrderEvent(StrEnum):
    ACCEPT = "accept"  # the venue acknowledged a resting order
    PARTIAL_FILL = "partial_fill"
    FILL = "fill"  # the order is now completely filled
    CANCEL = "cancel"
    REJECT = "reject"


_S = OrderStatus
_E = OrderEvent

ORDER_STATE_TABLE: dict[tuple[OrderStatus, OrderEvent], OrderStatus] = {
    (_S.NEW, _E.ACCEPT): _S.OPEN,
    (_S.NEW, _E.PARTIAL_FILL): _S.PARTIALLY_FILLED,
    (_S.NEW, _E.FILL): _S.FILLED,
    (_S.NEW, _E.CANCEL): _S.CANCELED,
    (_S.NEW, _E.REJECT): _S.REJECTED,
    (_S.OPEN, _E.PARTIAL_FILL): _S.PARTIALLY_FILLED,
    (_S.OPEN, _E.FILL): _S.FILLED,
    (_S.OPEN, _E.CANCEL): _S.CANCELED,
    (_S.OPEN, _E.ACCEPT): _S.OPEN,
    (_S.PARTIALLY_FILLED, _E.PARTIAL_FILL): _S.PARTIALLY_FILLED,
    (_S.PARTIALLY_FILLED, _E.FILL): _S.FILLED,
    (_S.PARTIALLY_FILLED, _E.CANCEL): _S.CANCELED,
    (_S.PARTIALLY_FILLED, _E.ACCEPT): _S.PARTIALLY_FILLED,
}


class IllegalTransition(OperatorError):
    code = "illegal_order_transition"


def transition(status: OrderStatus, event: OrderEvent) -> OrderStatus:
    """Return the state after ``event``; raise ``IllegalTransition`` if the table has no such edge."""
    try:
        return ORDER_STATE_TABLE[(status, event)]
    except KeyError:
        raise IllegalTransition(f"order in state {status} cannot take event {event}") from None
