from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.domain import OrderType, Side
from engine.errors import GrammarError
from hub.commands import (
    Alerts,
    Backtest,
    Balance,
    Cancel,
    Command,
    Confirm,
    Dca,
    ExecAlgo,
    Fills,
    Follow,
    Grid,
    Help,
    Kill,
    Leaders,
    Link,
    Orders,
    Pnl,
    Portfolio,
    Price,
    Quantity,
    QuantityKind,
    Rebalance,
    Resume,
    Risk,
    Sentiment,
    StopStrategy,
    Strategies,
    Trade,
    Unfollow,
    Webhooks,
    to_dict,
)
from hub.grammar import USAGE, help_text, parse
from hub.symbols import QUOTE_ASSETS

D = Decimal
BUY, SELL = Side.BUY, Side.SELL


def base(value: str) -> Quantity:
    return Quantity(QuantityKind.BASE, D(value))


def quote(value: str) -> Quantity:
    return Quantity(QuantityKind.QUOTE, D(value))


def percent(value: str) -> Quantity:
    return Quantity(QuantityKind.PERCENT, D(value))


TRADES = [
    ("buy 0.01 BTC/USDT", Trade(BUY, base("0.01"), "BTC/USDT")),
    ("sell 2 ETHUSDC", Trade(SELL, base("2"), "ETH/USDC")),
    ("buy .5 SOL-USDT", Trade(BUY, base("0.5"), "SOL/USDT")),
    ("buy $100 BTC/USDT", Trade(BUY, quote("100"), "BTC/USDT")),
    ("buy 100$ BTC/USDT", Trade(BUY, quote("100"), "BTC/USDT")),
    ("buy 100usd BTC/USDT", Trade(BUY, quote("100"), "BTC/USDT")),
    ("buy 100USD BTC/USDT", Trade(BUY, quote("100"), "BTC/USDT")),
    ("sell 25% BTC/USDT", Trade(SELL, percent("25"), "BTC/USDT")),
    ("sell 100% BTC/USDT", Trade(SELL, percent("100"), "BTC/USDT")),
    ("sell 0.5% BTC/USDT", Trade(SELL, percent("0.5"), "BTC/USDT")),
    ("buy 0.01 BTC/USDT @ 50000", Trade(BUY, base("0.01"), "BTC/USDT", D("50000"))),
    ("buy 0.01 BTC/USDT @50000.5", Trade(BUY, base("0.01"), "BTC/USDT", D("50000.5"))),
    ("buy 0.01 BTC/USDT at 50000", Trade(BUY, base("0.01"), "BTC/USDT", D("50000"))),
    ("buy 0.01 BINANCE:BTCUSDT on binance", Trade(BUY, base("0.01"), "BTC/USDT", venue="binance")),
    ("buy 0.01 BTC/USDT @ 50000 on paper",
     Trade(BUY, base("0.01"), "BTC/USDT", D("50000"), "paper")),
    ("buy 0.01 BTC/USDT on paper @ 50000",
     Trade(BUY, base("0.01"), "BTC/USDT", D("50000"), "paper")),
    ("buy 1 BTC/USDT twap 30m", Trade(BUY, base("1"), "BTC/USDT", algo=ExecAlgo("twap", 1800))),
    ("sell 1 BTC/USDT vwap 2h", Trade(SELL, base("1"), "BTC/USDT", algo=ExecAlgo("vwap", 7200))),
    ("buy 1 BTC/USDT twap 30s", Trade(BUY, base("1"), "BTC/USDT", algo=ExecAlgo("twap", 30))),
    ("buy 1 BTC/USDT twap 1d", Trade(BUY, base("1"), "BTC/USDT", algo=ExecAlgo("twap", 86400))),
    ("buy 1 BTC/USDT twap 1w", Trade(BUY, base("1"), "BTC/USDT", algo=ExecAlgo("twap", 604800))),
    ("buy 1 BTC/USDT @ 50000 iceberg 0.1 on paper",
     Trade(BUY, base("1"), "BTC/USDT", D("50000"), "paper", ExecAlgo("iceberg", None, D("0.1")))),
    ("buy 0.000000000000000001 BTC/USDT", Trade(BUY, base("0.000000000000000001"), "BTC/USDT")),
    ("buy 1000000000000 BTC/USDT", Trade(BUY, base("1000000000000"), "BTC/USDT")),
]

OTHERS = [
    ("cancel abc-123", Cancel("abc-123", False)),
    ("cancel all", Cancel(None, True)),
    ("cancel ALL", Cancel(None, True)),
    ("cancel OrD_9", Cancel("OrD_9", False)),
    ("confirm Xy12", Confirm("Xy12")),
    ("orders", Orders()),
    ("orders on Binance", Orders("binance")),
    ("fills", Fills()),
    ("fills on paper", Fills("paper")),
    ("balance", Balance()),
    ("balance on paper", Balance("paper")),
    ("portfolio", Portfolio()),
    ("portfolio on paper", Portfolio("paper")),
    ("pnl", Pnl("all")),
    ("pnl day", Pnl("day")),
    ("pnl WEEK", Pnl("week")),
    ("pnl month", Pnl("month")),
    ("pnl all", Pnl("all")),
    ("price BTCUSDT", Price("BTC/USDT")),
    ("price btc", Price("BTC/USDT")),
    ("dca $50 BTC/USDT every 1d", Dca("BTC/USDT", D("50"), 86400)),
    ("dca 50usd ETHUSDT every 12h start=now",
     Dca("ETH/USDT", D("50"), 43200, (("start", "now"),))),
    ("grid BTC/USDT 40000 50000 10", Grid("BTC/USDT", D("40000"), D("50000"), 10)),
    ("grid BTC/USDT 40000-50000 10", Grid("BTC/USDT", D("40000"), D("50000"), 10)),
    ("grid ETHUSDT 2000 3000 20 Mode=geometric",
     Grid("ETH/USDT", D("2000"), D("3000"), 20, (("mode", "geometric"),))),
    ("rebalance BTC=50% ETH=30% USDT=20%",
     Rebalance((("BTC", D("0.5")), ("ETH", D("0.3")), ("USDT", D("0.2"))))),
    ("rebalance btc=60% eth=40% every 1w threshold 5% min $10",
     Rebalance((("BTC", D("0.6")), ("ETH", D("0.4"))), 604800, D("0.05"), D("10"))),
    ("rebalance BTC=100% USDT=0% threshold 2.5%",
     Rebalance((("BTC", D("1")), ("USDT", D("0"))), None, D("0.025"))),
    ("strategies", Strategies()),
    ("stop grid-7", StopStrategy("grid-7")),
    ("backtest sma_cross BTC/USDT fast=10 slow=30",
     Backtest("sma_cross", "BTC/USDT", (("fast", "10"), ("slow", "30")))),
    ("backtest DCA ETHUSDT", Backtest("dca", "ETH/USDT")),
    ("follow alice", Follow("alice")),
    ("follow alice ratio 0.5", Follow("alice", ratio=D("0.5"))),
    ("follow @Bob fixed $100 max $1000", Follow("@Bob", fixed=D("100"), max_allocation=D("1000"))),
    ("follow bob max 500usd ratio 2", Follow("bob", ratio=D("2"), max_allocation=D("500"))),
    ("unfollow alice", Unfollow("alice")),
    ("leaders", Leaders()),
    ("sentiment ETH", Sentiment("ETH/USDT")),
    ("sentiment SOLUSDC", Sentiment("SOL/USDC")),
    ("risk", Risk()),
    ("alerts", Alerts()),
    ("kill", Kill()),
    ("resume", Resume()),
    ("help", Help(None)),
    ("help grid", Help("grid")),
    ("help buy", Help("trade")),
    ("help /SELL", Help("trade")),
    ("link", Link(None)),
    ("link AbC123", Link("AbC123")),
    ("webhooks", Webhooks(())),
    ("webhooks add https://example.com/hook order.filled",
     Webhooks(("add", "https://example.com/hook", "order.filled"))),
]


@pytest.mark.parametrize(("text", "expected"), TRADES + OTHERS, ids=[t for t, _ in TRADES + OTHERS])
def test_every_form_parses_to_its_command(text: str, expected: Command) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(("text", "expected"), TRADES + OTHERS, ids=[t for t, _ in TRADES + OTHERS])
def test_described_command_parses_back_to_itself(text: str, expected: Command) -> None:
    assert parse(expected.describe()) == expected


@pytest.mark.parametrize(
    "text",
    [
        "BUY 0.01 btc/usdt",
        "Buy 0.01 BTCUSDT",
        "/buy 0.01 BTC/USDT",
        "/buy@TradeHubBot 0.01 BTC/USDT",
        "/BUY@TradeHubBot 0.01 BTC/USDT",
        "   buy    0.01\tBTC/USDT  \n",
    ],
)
def test_case_slash_bot_suffix_and_whitespace_do_not_matter(text: str) -> None:
    assert parse(text) == Trade(BUY, base("0.01"), "BTC/USDT")


def test_keywords_are_case_insensitive_but_ids_keep_their_case() -> None:
    assert parse("BUY 1 BTC/USDT AT 100 ON PAPER TWAP 1H") == Trade(
        BUY, base("1"), "BTC/USDT", D("100"), "paper", ExecAlgo("twap", 3600)
    )
    assert parse("CANCEL AbC") == Cancel("AbC", False)
    assert parse("/kill@bot") == Kill()


def test_limit_and_market_order_types() -> None:
    assert parse("buy 1 BTC/USDT").order_type is OrderType.MARKET
    assert parse("buy 1 BTC/USDT @ 10").order_type is OrderType.LIMIT


BAD = [
    ("buy -1 BTC/USDT", "quantity `-1` must be positive"),
    ("buy 0 BTC/USDT", "quantity `0` must be greater than zero"),
    ("buy 0.000 BTC/USDT", "quantity `0.000` must be greater than zero"),
    ("buy abc BTC/USDT", "quantity `abc` is not a number"),
    ("buy 1,000 BTC/USDT", "quantity `1,000` is not a number"),
    ("buy NaN BTC/USDT", "quantity `NaN` is not a finite number"),
    ("buy Infinity BTC/USDT", "quantity `Infinity` is not a finite number"),
    ("buy inf BTC/USDT", "quantity `inf` is not a finite number"),
    ("buy 1e5 BTC/USDT", "quantity `1e5` uses exponent notation"),
    ("buy 1E-5 BTC/USDT", "quantity `1E-5` uses exponent notation"),
    ("buy 0.0000000000000000001 BTC/USDT", "more than 18 decimal places"),
    ("buy 1000000000001 BTC/USDT", "quantity `1000000000001` is too large"),
    ("buy $-5 BTC/USDT", "quantity `$-5` must be positive"),
    ("buy $0 BTC/USDT", "quantity `$0` must be greater than zero"),
    ("buy $ BTC/USDT", "quantity `$` is not a number"),
    ("buy 0% BTC/USDT", "quantity `0%` must be greater than zero"),
    ("buy 150% BTC/USDT", "quantity `150%` must be at most 100%"),
    ("buy 100.01% BTC/USDT", "must be at most 100%"),
    ("buy -5% BTC/USDT", "quantity `-5%` must be positive"),
    ("buy 1 BTC/USDT @ 0", "price `0` must be greater than zero"),
    ("buy 1 BTC/USDT @ -10", "price `-10` must be positive"),
    ("buy 1 BTC/USDT @ ten", "price `ten` is not a number"),
    ("buy 1 BTC/USDT @ 1000000000001", "price `1000000000001` is too large"),
    ("buy 1 BTC/USDT @ 1e3", "price `1e3` uses exponent notation"),
    ("buy 1 BTC/USDT @ nan", "price `nan` is not a finite number"),
    ("buy 1 BTC/XYZ", "unknown quote currency `XYZ`"),
    ("buy 1 BTC", "no known quote currency"),
    ("buy 1 BTC/USDT on Bin@nce", "venue `bin@nce` is not valid"),
    ("buy 1 BTC/USDT twap 0m", "must be longer than zero"),
    ("buy 1 BTC/USDT twap 5y", "is not a duration"),
    ("buy 1 BTC/USDT twap 367d", "is too long"),
    ("buy 1 BTC/USDT twap 1h vwap 1h", "algorithm is given twice"),
    ("buy 1 BTC/USDT @ 1 at 2", "price is given twice"),
    ("buy 1 BTC/USDT @ 1 iceberg 2", "visible quantity `2` is larger than the order quantity"),
    ("buy 1 BTC/USDT on", "`on` needs a value"),
    ("cancel", "`cancel` is missing an argument"),
    ("cancel a b", "unexpected `b`"),
    ("cancel a/b", "order id `a/b` is not valid"),
    ("pnl year", "unknown period `year`"),
    ("orders binance", "unexpected `binance`"),
    ("price", "`price` is missing an argument"),
    ("dca 50 BTC/USDT every 1d", "dca amount `50` must be a quote amount"),
    ("dca $50 BTC/USDT 1d", "`dca` needs an amount"),
    ("dca $50 BTC/USDT every never", "dca interval `never` is not a duration"),
    ("dca $50 BTC/USDT every 1d start", "options are written key=value"),
    ("dca $50 BTC/USDT every 1d a=1 a=2", "option `a` is given twice"),
    ("dca $50 BTC/USDT every 1d =1", "option `=1` is not valid"),
    ("grid BTC/USDT 50000 40000 10", "must be below the high price"),
    ("grid BTC/USDT 40000 50000 1", "grid levels `1` must be a whole number from 2 to 1000"),
    ("grid BTC/USDT 40000 50000 ten", "grid levels `ten`"),
    ("grid BTC/USDT 40000 50000", "`grid` needs a symbol"),
    ("grid BTC/USDT 0-50000 10", "grid low price `0` must be greater than zero"),
    ("rebalance BTC=50% ETH=40%", "add up to 90%"),
    ("rebalance BTC=60% ETH=60%", "add up to 120%"),
    ("rebalance BTC=100%", "at least two"),
    ("rebalance BTC=50% BTC=50%", "names an asset twice"),
    ("rebalance BTC=50 ETH=50%", "weight of BTC `50` must be a percentage"),
    ("rebalance BTC=150% ETH=-50%", "must be at most 100%"),
    ("rebalance BT$=50% ETH=50%", "invalid asset"),
    ("rebalance BTC=50% ETH=50% threshold 0%", "rebalance threshold `0%` must be greater than zero"),
    ("rebalance BTC=50% ETH=50% min 10", "minimum trade `10` must be a quote amount"),
    ("rebalance BTC=50% ETH=50% often", "unexpected `often`"),
    ("stop", "`stop` is missing an argument"),
    ("backtest sma", "`backtest` needs a strategy and a symbol"),
    ("backtest 9lives BTC/USDT", "strategy `9lives` is not valid"),
    ("follow", "`follow` is missing an argument"),
    ("follow alice ratio 0.5 fixed $10", "either `ratio` or `fixed`"),
    ("follow alice ratio 0", "follow ratio `0` must be greater than zero"),
    ("follow alice ratio 101", "follow ratio `101` is too large"),
    ("follow alice fixed 10", "fixed amount `10` must be a quote amount"),
    ("follow alice max -$5", "maximum allocation `-$5`"),
    ("follow ali/ce", "leader `ali/ce` is not valid"),
    ("unfollow", "`unfollow` is missing an argument"),
    ("sentiment", "`sentiment` is missing an argument"),
    ("kill now", "unexpected `now`"),
    ("risk everything", "unexpected `everything`"),
    ("help a b", "unexpected `b`"),
    ("link a b", "unexpected `b`"),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[t for t, _ in BAD])
def test_bad_form_is_refused_with_a_message_naming_the_problem(text: str, message: str) -> None:
    with pytest.raises(GrammarError) as caught:
        parse(text)
    assert message.lower() in caught.value.message.lower()


@pytest.mark.parametrize(
    ("text", "usage"),
    [
        ("buy", "buy|sell QTY SYMBOL"),
        ("sell 1", "buy|sell QTY SYMBOL"),
        ("cancel", "cancel ID|all"),
        ("confirm", "confirm ID"),
        ("dca $5", "dca $AMOUNT SYMBOL every DURATION"),
        ("grid BTC/USDT", "grid SYMBOL LOW HIGH LEVELS"),
        ("rebalance", "rebalance ASSET=PCT%"),
        ("follow", "follow LEADER"),
        ("leaders all", "Usage: leaders"),
        ("pnl day week", "pnl [day|week|month|all]"),
    ],
)
def test_missing_or_extra_arguments_show_the_usage_line(text: str, usage: str) -> None:
    with pytest.raises(GrammarError, match="Usage") as caught:
        parse(text)
    assert usage in caught.value.message


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("biy 1 BTC/USDT", "buy"),
        ("sel 1 BTC/USDT", "sell"),
        ("/cancle all", "cancel"),
        ("portfolo", "portfolio"),
        ("balanse", "balance"),
        ("rebalanse BTC=50% ETH=50%", "rebalance"),
    ],
)
def test_unknown_command_suggests_the_closest_one_and_mentions_help(text: str, suggestion: str) -> None:
    with pytest.raises(GrammarError) as caught:
        parse(text)
    assert caught.value.suggestion == suggestion
    assert "unknown command" in caught.value.message
    assert "`help`" in caught.value.message
    assert f"Did you mean `{suggestion}`?" in caught.value.message


def test_unknown_command_without_a_close_match_still_points_to_help() -> None:
    with pytest.raises(GrammarError, match="unknown command `xyzzy`") as caught:
        parse("xyzzy")
    assert caught.value.suggestion is None
    assert "`help`" in caught.value.message


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [("buy 1 BTC/USDT onn paper", "on"), ("buy 1 BTC/USDT twp 1h", "twap"), ("pnl wek", "week"),
     ("rebalance BTC=50% ETH=50% evry 1d", "every"), ("follow bob ratoi 2", "ratio")],
)
def test_unknown_word_inside_a_command_gets_a_suggestion(text: str, suggestion: str) -> None:
    with pytest.raises(GrammarError) as caught:
        parse(text)
    assert caught.value.suggestion == suggestion


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "/", "/@bot"])
def test_empty_text_is_refused(text: str) -> None:
    with pytest.raises(GrammarError, match="empty"):
        parse(text)


def test_text_over_1000_characters_is_refused_with_its_length() -> None:
    text = "buy 0.01 BTC/USDT " + "x" * (5000 - 18)
    with pytest.raises(GrammarError) as caught:
        parse(text)
    assert caught.value.message == "command is too long (5000 characters, max 1000)"


def test_text_of_exactly_1000_characters_is_still_parsed() -> None:
    text = "buy 0.01 BTC/USDT".ljust(1000)
    assert parse(text) == Trade(BUY, base("0.01"), "BTC/USDT")


def test_help_lists_every_family() -> None:
    text = help_text(None)
    assert set(USAGE) == {
        "trade", "cancel", "confirm", "orders", "fills", "balance", "portfolio", "pnl", "price", "dca",
        "grid", "rebalance", "strategies", "stop", "backtest", "follow", "unfollow", "leaders", "lead",
        "sentiment", "risk", "alerts", "kill", "resume", "help", "link", "webhooks", "venues",
    }
    for usage in USAGE.values():
        assert usage in text
    assert "buy|sell QTY SYMBOL" in text


def test_usage_is_one_line_and_one_sentence_per_family() -> None:
    for family, usage in USAGE.items():
        line, sentence = usage.split("\n")
        assert line.split()[0] in {family, "buy|sell"}
        assert sentence.strip().endswith(".")


@pytest.mark.parametrize(("topic", "family"), [("buy", "trade"), ("SELL", "trade"), ("grid", "grid"),
                                               ("/kill", "kill"), ("trade", "trade")])
def test_help_on_one_topic(topic: str, family: str) -> None:
    assert help_text(topic) == USAGE[family]


def test_help_on_an_unknown_topic_suggests_one() -> None:
    with pytest.raises(GrammarError, match="no help for `gird`") as caught:
        help_text("gird")
    assert caught.value.suggestion == "grid"
    with pytest.raises(GrammarError) as caught:
        parse("help protfolio")
    assert caught.value.suggestion == "portfolio"


def test_every_command_family_matches_its_usage_key() -> None:
    for _, command in TRADES + OTHERS:
        assert command.family in USAGE


def test_to_dict_is_json_safe_and_names_the_family() -> None:
    command = parse("buy 0.01 BTC/USDT @ 50000 on paper twap 30m")
    data = to_dict(command)
    assert json.loads(json.dumps(data)) == data
    assert data == {
        "family": "trade", "side": "buy", "quantity": {"kind": "base", "value": "0.01"},
        "symbol": "BTC/USDT", "price": "50000", "venue": "paper",
        "algo": {"kind": "twap", "duration_s": 1800, "visible": None}, "take_profit": None, "stop_loss": None,
    }
    rebalance = to_dict(parse("rebalance BTC=50% ETH=50% min $10"))
    assert rebalance["weights"] == {"BTC": "0.5", "ETH": "0.5"}
    assert rebalance["min_trade"] == "10"
    assert to_dict(parse("grid BTC/USDT 1 2 3 a=b"))["params"] == {"a": "b"}
    assert to_dict(Kill()) == {"family": "kill"}


def test_commands_refuse_inconsistent_values_when_built_directly() -> None:
    with pytest.raises(GrammarError):
        Cancel("abc", True)
    with pytest.raises(GrammarError):
        Cancel(None, False)
    with pytest.raises(GrammarError, match="add up to"):
        Rebalance((("BTC", D("0.5")),))
    with pytest.raises(GrammarError):
        ExecAlgo("twap", None)
    with pytest.raises(GrammarError):
        ExecAlgo("iceberg", 60, None)
    assert Rebalance((("BTC", D("0.33333")), ("ETH", D("0.66666")))).weights[0][0] == "BTC"


# --- describe() -> parse() round trip over generated commands ----------------------------------

_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_IDCHARS = _ALNUM + "abcdefghijklmnopqrstuvwxyz"


def _amounts(maximum: int = 10**12) -> st.SearchStrategy[Decimal]:
    return st.builds(lambda n, places: D(n).scaleb(-places), st.integers(1, maximum), st.integers(0, 18))


def _percents() -> st.SearchStrategy[Decimal]:
    return _amounts(100 * 10**6).map(lambda value: value if value <= 100 else D(100))


_symbols = st.builds(
    lambda base_asset, quote_asset: f"{base_asset}/{quote_asset}",
    st.text(_ALNUM, min_size=1, max_size=10).filter(lambda s: s not in QUOTE_ASSETS),
    st.sampled_from(QUOTE_ASSETS),
)
_ids = st.text(_IDCHARS, min_size=1, max_size=16).filter(lambda s: s.lower() != "all")
_venues = st.none() | st.text("abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=12).filter(
    lambda s: s[0] not in "_-"
)
_durations = st.builds(
    lambda n, unit: n * unit, st.integers(1, 300), st.sampled_from([1, 60, 3600, 86400])
).filter(lambda s: s <= 366 * 86400)
_params = st.lists(
    st.tuples(st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8),
              st.text(_IDCHARS + "._-:/%$+", min_size=1, max_size=12)),
    max_size=3, unique_by=lambda pair: pair[0],
).map(tuple)
_quantities = st.one_of(
    st.builds(Quantity, st.just(QuantityKind.BASE), _amounts()),
    st.builds(Quantity, st.just(QuantityKind.QUOTE), _amounts()),
    st.builds(Quantity, st.just(QuantityKind.PERCENT), _percents()),
)
_algos = st.one_of(
    st.none(),
    st.builds(ExecAlgo, st.sampled_from(["twap", "vwap"]), _durations),
    st.builds(ExecAlgo, st.just("iceberg"), st.none(), _amounts()),
)
_trades = st.builds(
    Trade, st.sampled_from(Side), _quantities, _symbols, st.none() | _amounts(), _venues, _algos
).filter(  # an iceberg may not show more than the whole order
    lambda t: t.algo is None or t.algo.visible is None or t.quantity.kind is not QuantityKind.BASE
    or t.algo.visible <= t.quantity.value
)


@st.composite
def _grids(draw: st.DrawFn) -> Grid:
    low = draw(_amounts(10**9))
    return Grid(draw(_symbols), low, low + draw(_amounts(10**9)), draw(st.integers(2, 1000)), draw(_params))


@st.composite
def _rebalances(draw: st.DrawFn) -> Rebalance:
    assets = draw(st.lists(st.text(_ALNUM, min_size=1, max_size=6), min_size=2, max_size=5, unique=True))
    cuts = sorted(draw(st.lists(st.integers(0, 10_000), min_size=len(assets) - 1, max_size=len(assets) - 1)))
    bounds = [0, *cuts, 10_000]
    weights = tuple((asset, D(bounds[i + 1] - bounds[i]) / D(10_000)) for i, asset in enumerate(assets))
    threshold = draw(st.none() | _percents().map(lambda p: p / 100))
    return Rebalance(weights, draw(st.none() | _durations), threshold, draw(st.none() | _amounts()))


@st.composite
def _follows(draw: st.DrawFn) -> Follow:
    sizing = draw(st.sampled_from(["ratio", "fixed", "none"]))
    ratio = draw(_amounts(100)) if sizing == "ratio" else None
    fixed = draw(_amounts()) if sizing == "fixed" else None
    return Follow(draw(_ids), ratio, fixed, draw(st.none() | _amounts()))


_commands = st.one_of(
    _trades,
    st.builds(Cancel, _ids, st.just(False)), st.just(Cancel(None, True)),
    st.builds(Confirm, _ids),
    st.builds(Orders, _venues), st.builds(Fills, _venues),
    st.builds(Balance, _venues), st.builds(Portfolio, _venues),
    st.builds(Pnl, st.sampled_from(["day", "week", "month", "all"])),
    st.builds(Price, _symbols), st.builds(Sentiment, _symbols),
    st.builds(Dca, _symbols, _amounts(), _durations, _params),
    _grids(), _rebalances(), _follows(),
    st.builds(StopStrategy, _ids), st.builds(Unfollow, _ids),
    st.builds(Backtest, st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10)
              .filter(lambda s: s[0] != "_"), _symbols, _params),
    st.sampled_from([Strategies(), Leaders(), Risk(), Alerts(), Kill(), Resume(), Help(None), Link(None)]),
    st.builds(Help, st.sampled_from(sorted(USAGE))),
    st.builds(Link, _ids),
    st.builds(Webhooks, st.lists(st.text(_IDCHARS + "./:-", min_size=1, max_size=20), max_size=4).map(tuple)),
)


@settings(max_examples=400, deadline=None)
@given(_commands)
def test_describe_parses_back_to_an_equal_command(command: Command) -> None:
    text = command.describe()
    assert parse(text) == command
    if isinstance(command, Trade):
        assert parse(text.upper()) == command
