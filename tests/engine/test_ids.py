"""Ids made in one process sort in creation order, also within one millisecond."""

from __future__ import annotations

from engine.ids import new_id


def test_ids_sort_in_creation_order_within_a_millisecond() -> None:
    made = [new_id("fil") for _ in range(20_000)]  # thousands per millisecond
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    assert all(len(i) == len("fil_") + 21 and i.startswith("fil_") for i in made)
