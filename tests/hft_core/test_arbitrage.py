from __future__ import annotations

from decimal import Decimal as D

from hft_core.arbitrage import Market, Quote, TriangularScanner, executable_across_books, scan_cross_venue
from hft_core.book import OrderBook
from hft_core.scale import TickScale


def test_cross_venue_finds_bid_above_ask_after_both_fees():
    quotes = {
        "a": {"BTC/USDT": Quote(D("100.00"), D("2"), D("100.10"), D("1"))},
        "b": {"BTC/USDT": Quote(D("100.50"), D("0.5"), D("100.60"), D("3"))},
    }
    fees = {"a": D("0.001"), "b": D("0.001")}
    [opportunity] = scan_cross_venue(quotes, fees)
    assert (opportunity.buy_venue, opportunity.sell_venue) == ("a", "b")
    assert opportunity.size == D("0.5")  # what the sell side's top can absorb
    expected_edge = D("100.50") * D("0.999") - D("100.10") * D("1.001")
    assert opportunity.expected_profit == expected_edge * D("0.5")


def test_cross_venue_ignores_spreads_that_fees_eat():
    quotes = {
        "a": {"X": Quote(D("100.00"), D("1"), D("100.10"), D("1"))},
        "b": {"X": Quote(D("100.15"), D("1"), D("100.30"), D("1"))},
    }
    # 100.15 * 0.999 = 100.04985 < 100.10 * 1.001 = 100.2001
    assert scan_cross_venue(quotes, {"a": D("0.001"), "b": D("0.001")}) == []
    assert len(scan_cross_venue(quotes, {"a": D("0"), "b": D("0")})) == 1


def test_cross_venue_sorts_by_profit_over_many_symbols():
    quotes = {
        "a": {"X": Quote(D("10"), D("1"), D("11"), D("1")), "Y": Quote(D("10"), D("1"), D("11"), D("5"))},
        "b": {"X": Quote(D("12"), D("1"), D("13"), D("1")), "Y": Quote(D("12"), D("5"), D("13"), D("1"))},
    }
    found = scan_cross_venue(quotes, {"a": D(0), "b": D(0)})
    assert [(o.symbol, o.expected_profit) for o in found] == [("Y", D("5")), ("X", D("1"))]


def test_quote_from_book():
    book = OrderBook("X", TickScale.of("0.01", "0.1"))
    book.apply_snapshot([(10000, 5)], [(10002, 7)])
    assert Quote.from_book(book) == Quote(D("100.00"), D("0.5"), D("100.02"), D("0.7"))
    assert Quote.from_book(OrderBook("Y", TickScale.of("1", "1"))) is None


MARKETS = [Market("BTC/USDT", "BTC", "USDT"), Market("ETH/BTC", "ETH", "BTC"), Market("ETH/USDT", "ETH", "USDT")]


def test_triangle_is_found_with_fees_and_its_size_is_limited_by_the_thinnest_leg():
    scanner = TriangularScanner(MARKETS, fee=D("0.001"))
    quotes = {
        "BTC/USDT": Quote(D("30000"), D("1"), D("30001"), D("1")),
        "ETH/BTC": Quote(D("0.0500"), D("10"), D("0.0501"), D("10")),
        # ETH is worth 0.05 BTC = 1500 USDT via BTC, but sells here for 1530 USDT
        "ETH/USDT": Quote(D("1530"), D("2"), D("1531"), D("2")),
    }
    [best] = scanner.scan(quotes)
    # BTC -> ETH (buy ETH/BTC at the ask) -> USDT (sell ETH/USDT at the bid) -> BTC (buy BTC/USDT)
    assert best.start_asset == "BTC"
    assert [(leg.symbol, leg.side, leg.price) for leg in best.legs] == [
        ("ETH/BTC", "buy", D("0.0501")),
        ("ETH/USDT", "sell", D("1530")),
        ("BTC/USDT", "buy", D("30001")),
    ]
    keep = D("0.999")
    eth_per_btc = keep / D("0.0501")
    # The thinnest leg is the 2 ETH bid on ETH/USDT: 2 ETH is 2 / eth_per_btc BTC at the start.
    start = D(2) / eth_per_btc
    rate = eth_per_btc * (keep * D("1530")) * (keep / D("30001"))
    assert best.start_amount == start
    assert best.end_amount == start * rate
    assert best.expected_profit == start * rate - start
    assert D("0.0148") < rate - 1 < D("0.0149")  # about 1.49 % after three fees


def test_no_triangle_when_prices_are_consistent():
    scanner = TriangularScanner(MARKETS, fee=D("0.001"))
    quotes = {
        "BTC/USDT": Quote(D("30000"), D("1"), D("30001"), D("1")),
        "ETH/BTC": Quote(D("0.0500"), D("10"), D("0.0501"), D("10")),
        "ETH/USDT": Quote(D("1500"), D("2"), D("1501"), D("2")),
    }
    assert scanner.scan(quotes) == []
    assert len(scanner.cycles) == 2  # the triangle in both directions


def test_executable_size_walks_both_books_until_fees_eat_the_edge():
    cheap = OrderBook("X", TickScale.of("0.01", "0.1"))
    cheap.apply_snapshot([(9990, 10)], [(10000, 10), (10010, 20), (10100, 50)])  # asks 100.00 x1, 100.10 x2, 101 x5
    rich = OrderBook("X", TickScale.of("0.1", "0.01"))
    rich.apply_snapshot([(1008, 150), (1007, 300), (1000, 1000)], [(1010, 100)])  # bids 100.8 x1.5, 100.7 x3, 100 x10
    size, profit = executable_across_books(cheap, rich, D("0.001"), D("0.001"))
    buy, sell = D("1.001"), D("0.999")
    legs = [  # (size, bid, ask) in the order the walk takes them
        (D("1"), D("100.8"), D("100.00")),
        (D("0.5"), D("100.8"), D("100.10")),
        (D("1.5"), D("100.7"), D("100.10")),
    ]
    # the next pair, 100.7 bid against the 101.00 ask, loses money: the walk stops there
    assert size == sum(leg[0] for leg in legs)
    assert profit == sum(q * (bid * sell - ask * buy) for q, bid, ask in legs)
