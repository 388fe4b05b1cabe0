"""Arbitrage scanners: cross-venue on one symbol, and triangular on one venue's markets.

Money stays ``Decimal``: every opportunity's prices, size and profit are computed exactly.
For speed, the scan first screens every candidate with ``float`` copies of the quotes (made
once per quote update, in ``Quote``), and only candidates that pass the screen with a
relative margin are recomputed in ``Decimal`` and kept if still profitable. The margin
(1e-9 relative) is far above double rounding error, so no real opportunity is screened out.

Fees are taker fee rates (0.001 = 0.1 %), applied to each leg: selling ``q`` at ``p`` yields
``q * p * (1 - fee)`` of quote currency, buying ``q`` at ``p`` costs ``q * p * (1 + fee)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import permutations

from hft_core.book import OrderBook

_SCREEN_MARGIN = 1e-9
_ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class Quote:
    """Top of book on one venue: best bid and ask with their sizes (base units)."""

    bid: Decimal
    bid_size: Decimal
    ask: Decimal
    ask_size: Decimal
    _bid_f: float = field(init=False, repr=False, compare=False)
    _ask_f: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_bid_f", float(self.bid))
        object.__setattr__(self, "_ask_f", float(self.ask))

    @classmethod
    def from_book(cls, book: OrderBook) -> Quote | None:
        """The book's top of book, or None when a side is empty."""
        bid, ask = book.best_bid(), book.best_ask()
        if bid is None or ask is None:
            return None
        scale = book.scale
        bid_size = scale.size(book.bid_size(book.best_bid_ticks))
        return cls(bid, bid_size, ask, scale.size(book.ask_size(book.best_ask_ticks)))


@dataclass(frozen=True, slots=True)
class CrossVenueOpportunity:
    """Buy ``size`` on ``buy_venue`` at its ask, sell it on ``sell_venue`` at its bid."""

    symbol: str
    buy_venue: str
    sell_venue: str
    buy_price: Decimal
    sell_price: Decimal
    size: Decimal
    expected_profit: Decimal  # quote currency, after both venues' fees


def scan_cross_venue(
    quotes: Mapping[str, Mapping[str, Quote]], fees: Mapping[str, Decimal]
) -> list[CrossVenueOpportunity]:
    """Every (symbol, buy venue, sell venue) where the bid beats the ask after both fees.

    ``quotes`` maps venue -> symbol -> ``Quote``; ``fees`` maps venue -> taker fee rate. The
    size is what both tops can absorb; results are sorted by expected profit, largest first.
    Per symbol, venues are compared with the best fee-adjusted bid first, so a symbol without
    an opportunity costs one pass over its venues.
    """
    buy_factor = {venue: (1.0 + float(fee)) * (1.0 + _SCREEN_MARGIN) for venue, fee in fees.items()}
    sell_factor = {venue: 1.0 - float(fee) for venue, fee in fees.items()}
    by_symbol: dict[str, list[tuple[str, Quote, float, float]]] = {}
    for venue, venue_quotes in quotes.items():
        buy, sell = buy_factor[venue], sell_factor[venue]
        for symbol, quote in venue_quotes.items():
            entry = (venue, quote, quote._bid_f * sell, quote._ask_f * buy)
            listed = by_symbol.get(symbol)
            if listed is None:
                by_symbol[symbol] = [entry]
            else:
                listed.append(entry)
    found: list[CrossVenueOpportunity] = []
    for symbol, listed in by_symbol.items():
        best_bid = max(entry[2] for entry in listed)
        for buy_venue, buy_quote, _, cost in listed:
            if best_bid <= cost:
                continue
            for sell_venue, sell_quote, proceeds, _ in listed:
                if proceeds > cost and sell_venue != buy_venue:
                    opportunity = _cross_exact(symbol, buy_venue, buy_quote, sell_venue, sell_quote, fees)
                    if opportunity is not None:
                        found.append(opportunity)
    found.sort(key=lambda item: item.expected_profit, reverse=True)
    return found


def _cross_exact(
    symbol: str, buy_venue: str, buy: Quote, sell_venue: str, sell: Quote, fees: Mapping[str, Decimal]
) -> CrossVenueOpportunity | None:
    size = min(buy.ask_size, sell.bid_size)
    edge = sell.bid * (_ONE - fees[sell_venue]) - buy.ask * (_ONE + fees[buy_venue])
    if edge <= 0 or size <= 0:
        return None
    return CrossVenueOpportunity(symbol, buy_venue, sell_venue, buy.ask, sell.bid, size, edge * size)


def executable_across_books(
    buy_book: OrderBook, sell_book: OrderBook, buy_fee: Decimal, sell_fee: Decimal
) -> tuple[Decimal, Decimal]:
    """Size and profit of buying on ``buy_book``'s asks and selling on ``sell_book``'s bids.

    Walks both books level by level, best first, while the next unit still earns money after
    both fees; returns ``(size, expected profit)`` in base units and quote currency. Use it to
    size an opportunity that ``scan_cross_venue`` found from the tops of book.
    """
    asks = [(buy_book.scale.price(p), buy_book.scale.size(s)) for p, s in buy_book.asks(buy_book.ask_levels)]
    bids = [(sell_book.scale.price(p), sell_book.scale.size(s)) for p, s in sell_book.bids(sell_book.bid_levels)]
    size = profit = Decimal(0)
    ask_index = bid_index = 0
    ask_left = asks[0][1] if asks else Decimal(0)
    bid_left = bids[0][1] if bids else Decimal(0)
    while ask_index < len(asks) and bid_index < len(bids):
        edge = bids[bid_index][0] * (_ONE - sell_fee) - asks[ask_index][0] * (_ONE + buy_fee)
        if edge <= 0:
            break
        take = min(ask_left, bid_left)
        size += take
        profit += take * edge
        ask_left -= take
        bid_left -= take
        if ask_left == 0:
            ask_index += 1
            ask_left = asks[ask_index][1] if ask_index < len(asks) else Decimal(0)
        if bid_left == 0:
            bid_index += 1
            bid_left = bids[bid_index][1] if bid_index < len(bids) else Decimal(0)
    return size, profit


@dataclass(frozen=True, slots=True)
class Market:
    """A market ``base/quote`` on one venue."""

    symbol: str
    base: str
    quote: str


@dataclass(frozen=True, slots=True)
class Leg:
    """One conversion of a cycle: trade ``symbol`` on ``side`` ("buy" or "sell") at ``price``."""

    symbol: str
    side: str
    price: Decimal


@dataclass(frozen=True, slots=True)
class TriangularOpportunity:
    """Start with ``start_amount`` of ``start_asset``, convert three times, end with more of it."""

    start_asset: str
    legs: tuple[Leg, Leg, Leg]
    start_amount: Decimal
    end_amount: Decimal
    expected_profit: Decimal  # in start_asset, after fees


@dataclass(frozen=True, slots=True)
class _Edge:
    symbol: str
    side: str  # "buy": spend quote, get base at the ask; "sell": spend base, get quote at the bid


class TriangularScanner:
    """Finds profitable three-market cycles on one venue; the cycles are found once, up front."""

    def __init__(self, markets: Iterable[Market], fee: Decimal) -> None:
        self.fee = fee
        edges: dict[tuple[str, str], _Edge] = {}
        for market in markets:
            edges[(market.quote, market.base)] = _Edge(market.symbol, "buy")
            edges[(market.base, market.quote)] = _Edge(market.symbol, "sell")
        assets = sorted({asset for pair in edges for asset in pair})
        self.cycles: list[tuple[str, tuple[_Edge, _Edge, _Edge]]] = []
        for first, second, third in permutations(assets, 3):
            if first != min(first, second, third):
                continue  # each directed cycle once, starting from its smallest asset
            hops = ((first, second), (second, third), (third, first))
            if all(hop in edges for hop in hops):
                self.cycles.append((first, (edges[hops[0]], edges[hops[1]], edges[hops[2]])))

    def scan(self, quotes: Mapping[str, Quote]) -> list[TriangularOpportunity]:
        """Profitable cycles given each market's ``Quote``, sorted by profit, largest first."""
        keep = 1.0 - float(self.fee)
        found: list[TriangularOpportunity] = []
        for start, cycle in self.cycles:
            rate = 1.0
            for edge in cycle:
                quote = quotes.get(edge.symbol)
                if quote is None:
                    break
                rate *= keep / quote._ask_f if edge.side == "buy" else keep * quote._bid_f
            else:
                if rate > 1.0 + _SCREEN_MARGIN:
                    opportunity = self._exact(start, cycle, quotes)
                    if opportunity is not None:
                        found.append(opportunity)
        found.sort(key=lambda item: item.expected_profit, reverse=True)
        return found

    def _exact(
        self, start: str, cycle: tuple[_Edge, _Edge, _Edge], quotes: Mapping[str, Quote]
    ) -> TriangularOpportunity | None:
        keep = _ONE - self.fee
        # The largest start amount every leg's top of book can absorb, in start units.
        capacity: Decimal | None = None
        rate = _ONE  # units of the current asset per unit of start asset
        for edge in cycle:
            quote = quotes[edge.symbol]
            # what this leg can take, in units of the asset spent on it
            limit = quote.ask_size * quote.ask if edge.side == "buy" else quote.bid_size
            in_start_units = limit / rate
            capacity = in_start_units if capacity is None else min(capacity, in_start_units)
            rate *= keep / quote.ask if edge.side == "buy" else keep * quote.bid
        assert capacity is not None
        if rate <= _ONE or capacity <= 0:
            return None
        legs = tuple(
            Leg(edge.symbol, edge.side, quotes[edge.symbol].ask if edge.side == "buy" else quotes[edge.symbol].bid)
            for edge in cycle
        )
        end_amount = capacity * rate
        return TriangularOpportunity(start, legs, capacity, end_amount, end_amount - capacity)  # type: ignore[arg-type]
