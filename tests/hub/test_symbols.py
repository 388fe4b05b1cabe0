from __future__ import annotations

import pytest

from engine.errors import GrammarError
from hub.symbols import QUOTE_ASSETS, normalize_symbol, split_symbol


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BTC/USDT", "BTC/USDT"),
        ("btc/usdt", "BTC/USDT"),
        ("BTCUSDT", "BTC/USDT"),
        ("BINANCE:BTCUSDT", "BTC/USDT"),
        ("binance:btcusdt", "BTC/USDT"),
        ("BTCUSDT.P", "BTC/USDT"),
        ("BYBIT:ETHUSDT.P", "ETH/USDT"),
        ("BTC-USDT", "BTC/USDT"),
        ("BTC_USDT", "BTC/USDT"),
        ("ETHUSDC", "ETH/USDC"),
        ("SOLBTC", "SOL/BTC"),
        ("BNBETH", "BNB/ETH"),
        ("ETHBTC", "ETH/BTC"),
        ("  xrp/eur  ", "XRP/EUR"),
        ("BTCFDUSD", "BTC/FDUSD"),
        ("BTCUSD", "BTC/USD"),
        ("ETHBUSD", "ETH/BUSD"),
        ("BTCTRY", "BTC/TRY"),
        ("1000PEPEUSDT", "1000PEPE/USDT"),
        ("FDUSDUSDT", "FDUSD/USDT"),
    ],
)
def test_every_spelling_normalises_to_base_slash_quote(text: str, expected: str) -> None:
    assert normalize_symbol(text) == expected


def test_concatenated_symbol_splits_at_the_longest_known_quote() -> None:
    # USDT beats USD; FDUSD beats USD: the longest suffix wins.
    assert normalize_symbol("ADAUSDT") == "ADA/USDT"
    assert normalize_symbol("ADAFDUSD") == "ADA/FDUSD"
    assert normalize_symbol("ADATUSD") == "ADA/TUSD"


def test_bare_asset_needs_a_default_quote() -> None:
    assert normalize_symbol("btc", default_quote="USDT") == "BTC/USDT"
    assert normalize_symbol("SOL", default_quote="USDT") == "SOL/USDT"
    # A pair stays a pair even when a default is offered.
    assert normalize_symbol("ETHBTC", default_quote="USDT") == "ETH/BTC"
    with pytest.raises(GrammarError, match="`SOL`"):
        normalize_symbol("SOL")


def test_a_bare_quote_asset_is_an_asset_not_an_empty_pair() -> None:
    assert normalize_symbol("BTC", default_quote="USDT") == "BTC/USDT"
    with pytest.raises(GrammarError, match="against itself"):
        normalize_symbol("USDT", default_quote="USDT")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("BTC/XYZ", "unknown quote currency `XYZ`"),
        ("BTCXYZ", "no known quote"),
        ("BTC$/USDT", "invalid base asset"),
        ("BTC/USDT/ETH", "not a market"),
        ("BT C/USDT", "invalid base asset"),
        ("/USDT", "invalid base asset"),
        ("USDT/USDT", "against itself"),
        ("A" * 31, "too long"),
        ("BTC/ÜSDT", "letters A-Z"),
        ("ſol/usdt", "letters A-Z"),
        ("BIN ANCE:BTCUSDT", "exchange prefix"),
        ("A:B:BTCUSDT", "exchange prefix"),
        ("BTCUSDT.X", "no known quote"),
    ],
)
def test_invalid_symbol_is_refused_naming_the_text(text: str, problem: str) -> None:
    with pytest.raises(GrammarError, match=problem) as caught:
        normalize_symbol(text)
    if text.strip() and len(text) <= 30:
        assert text.strip() in caught.value.message


def test_quote_list_is_the_documented_one() -> None:
    assert set(QUOTE_ASSETS) == {
        "USDT", "USDC", "BUSD", "FDUSD", "TUSD", "DAI", "USD", "EUR", "GBP", "TRY", "BTC", "ETH", "BNB",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [("BTC/USDT", ("BTC", "USDT")), ("binance:ethbtc", ("ETH", "BTC")), ("SOL-USDC", ("SOL", "USDC"))],
)
def test_split_symbol_returns_base_and_quote(text: str, expected: tuple[str, str]) -> None:
    assert split_symbol(text) == expected


def test_split_symbol_refuses_garbage() -> None:
    with pytest.raises(GrammarError):
        split_symbol("not a symbol")


def test_invalid_input_is_refused_every_time_not_only_the_first() -> None:
    # The cache must not remember failures as successes.
    for _ in range(3):
        with pytest.raises(GrammarError):
            normalize_symbol("BTCXYZ")
