from __future__ import annotations

from decimal import Decimal as D

import pytest

from hft_core.quoting import QuoteParams, make_quotes, optimal_spread, reservation_price

PARAMS = QuoteParams(
    risk_aversion=D("0.1"), volatility=D("2"), liquidity=D("1.5"), tick_size=D("0.01"), order_size=D("0.5")
)


def test_flat_inventory_quotes_symmetrically_around_the_mid():
    quotes = make_quotes(D("100"), D("0"), PARAMS)
    assert quotes.reservation_price == D("100")
    # spread = 0.1 * 4 * 1 + (2 / 0.1) * ln(1 + 0.1 / 1.5)
    expected = D("0.4") + D(20) * (D(1) + D("0.1") / D("1.5")).ln()
    assert quotes.spread == expected
    assert D("100") - quotes.bid == quotes.ask - D("100")
    assert quotes.bid < D("100") < quotes.ask


def test_long_inventory_skews_both_quotes_down():
    flat = make_quotes(D("100"), D("0"), PARAMS)
    long = make_quotes(D("100"), D("3"), PARAMS)
    assert long.reservation_price == D("100") - D("3") * D("0.1") * D("4") * D("1")
    assert long.bid < flat.bid and long.ask < flat.ask


def test_spread_shrinks_as_the_horizon_ends():
    assert optimal_spread(PARAMS, D("0")) < optimal_spread(PARAMS, D("1"))
    assert reservation_price(D("100"), D("5"), PARAMS, D("0")) == D("100")


def test_quotes_are_on_the_tick_rounded_outwards_and_never_cross():
    params = QuoteParams(D("5"), D("0"), D("1000000"), D("0.5"), D("1"))  # a tiny theoretical spread
    quotes = make_quotes(D("100.2"), D("0"), params)
    assert quotes.bid == D("100.0") and quotes.ask == D("100.5")
    assert quotes.bid % params.tick_size == 0 and quotes.ask % params.tick_size == 0


def test_inventory_limit_stops_the_side_that_would_grow_it():
    params = QuoteParams(D("0.1"), D("2"), D("1.5"), D("0.01"), D("1"), max_inventory=D("10"))
    assert make_quotes(D("100"), D("10"), params).bid is None
    assert make_quotes(D("100"), D("-10"), params).ask is None
    both = make_quotes(D("100"), D("2"), params)
    assert both.bid is not None and both.ask is not None


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError):
        QuoteParams(D("0"), D("1"), D("1"), D("0.01"), D("1"))
    with pytest.raises(ValueError):
        make_quotes(D("-1"), D("0"), PARAMS)
