from __future__ import annotations

import pytest

from sentiment.symbols import extract_symbols, normalise_symbol


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$SOL and $eth ripping", ("ETH", "SOL")),
        ("ether looks heavy, sol holding up", ("ETH", "SOL")),
        ("Bitcoin ETF flows", ("BTC",)),
        ("ETH/BTC bottomed?", ("BTC", "ETH")),
        ("click the link below", ()),
        ("LINK breaking out", ("LINK",)),
        ("$PYTH listed", ("PYTH",)),
        ("solid solution, adamant", ()),
    ],
)
def test_extract_symbols(text: str, expected: tuple[str, ...]) -> None:
    assert extract_symbols(text) == expected


def test_extra_aliases() -> None:
    assert extract_symbols("the frog coin is back", extra_aliases={"frog coin": "PEPE"}) == ("PEPE",)


@pytest.mark.parametrize("raw", ["btc", "$BTC", "BTC/USDT", "BINANCE:BTCUSDT", "BTCUSD"])
def test_normalise_symbol(raw: str) -> None:
    assert normalise_symbol(raw) == "BTC"
