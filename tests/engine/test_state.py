from __future__ import annotations

import pytest

from engine.domain import OrderStatus
from engine.orders.state import ORDER_STATE_TABLE, IllegalTransition, OrderEvent, transition

S, E = OrderStatus, OrderEvent


@pytest.mark.parametrize(
    ("start", "event", "end"),
    [
        (S.NEW, E.ACCEPT, S.OPEN),
        (S.NEW, E.FILL, S.FILLED),
        (S.NEW, E.REJECT, S.REJECTED),
        (S.OPEN, E.PARTIAL_FILL, S.PARTIALLY_FILLED),
        (S.PARTIALLY_FILLED, E.PARTIAL_FILL, S.PARTIALLY_FILLED),
        (S.PARTIALLY_FILLED, E.FILL, S.FILLED),
        (S.PARTIALLY_FILLED, E.CANCEL, S.CANCELED),
        (S.OPEN, E.CANCEL, S.CANCELED),
    ],
)
def test_legal_transitions(start: OrderStatus, event: OrderEvent, end: OrderStatus) -> None:
    assert transition(start, event) is end


@pytest.mark.parametrize("terminal", [S.FILLED, S.CANCELED, S.REJECTED])
@pytest.mark.parametrize("event", list(OrderEvent))
def test_terminal_states_take_no_event(terminal: OrderStatus, event: OrderEvent) -> None:
    with pytest.raises(IllegalTransition):
        transition(terminal, event)


def test_open_order_cannot_be_rejected_after_acceptance() -> None:
    with pytest.raises(IllegalTransition, match="cannot take event reject"):
        transition(S.OPEN, E.REJECT)


def test_every_edge_leads_from_a_working_state() -> None:
    assert all(not start.is_terminal for start, _ in ORDER_STATE_TABLE)
