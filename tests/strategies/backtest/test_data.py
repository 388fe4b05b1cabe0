"""Loading candle CSVs: the header, gzip, ordering, repeated rows, and errors a user can act on."""

from __future__ import annotations

import gzip
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from engine.errors import UserInputError
from strategies.backtest.data import align, load_candles, parse_candles, periods_per_year
from tests.strategies.candles import HOUR, REAL_DATA, csv_text, series


def test_bundled_files_load_with_exact_prices() -> None:
    btc = load_candles(REAL_DATA / "BTC_USDT-1h.csv.gz", symbol="BTC/USDT")

    assert len(btc) == 10_235
    candle = btc.candle(0)
    assert (candle.ts_ms, candle.open, candle.close) == (1640995200000, Decimal("46216.93"), Decimal("46656.13"))
    assert periods_per_year(btc.ts) == 8760


def test_columns_are_found_by_name_and_extra_columns_ignored(tmp_path: Path) -> None:
    text = "close,volume,timestamp_ms,trades,low,high,open\n10,5,1000,7,9,11,9.5\n"
    path = tmp_path / "odd.csv"
    path.write_text(text)

    candle = load_candles(path, symbol="X/Y").candle(0)

    assert (candle.ts_ms, candle.open, candle.high, candle.low, candle.close) == (
        1000, Decimal("9.5"), Decimal(11), Decimal(9), Decimal(10))


def test_gzip_is_detected_by_content(tmp_path: Path) -> None:
    path = tmp_path / "plain-name.csv"
    path.write_bytes(gzip.compress(csv_text([(0, 1, 2, 0.5, 1.5)]).encode()))

    assert float(load_candles(path, symbol="A/B").close[0]) == 1.5


def test_rows_are_sorted_and_a_repeated_timestamp_keeps_the_last_row() -> None:
    data = series([(2 * HOUR, 3, 3, 3, 3), (0, 1, 1, 1, 1), (HOUR, 2, 2, 2, 2), (HOUR, 9, 9, 9, 9)])

    assert data.ts.tolist() == [0, HOUR, 2 * HOUR]
    assert data.close.tolist() == [1, 9, 3]
    assert data.candle(1).close == Decimal(9)


def test_periods_per_year_follow_the_median_bar_despite_gaps() -> None:
    stamps = [0, 1, 2, 3, 10, 11, 12, 40]
    daily = series([(day * 86_400_000, 1, 1, 1, 1) for day in stamps])

    assert periods_per_year(daily.ts) == 365


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty"),
    ("timestamp_ms,open,high,low,close\n1,1,1,1,1\n", "lacks the column(s) volume"),
    ("timestamp_ms,open,high,low,close,volume\n", "no candles"),
    ("timestamp_ms,open,high,low,close,volume\n1,1,1,1\n", "line 2: 4 fields"),
    ("timestamp_ms,open,high,low,close,volume\n1,1,1,1,abc,1\n", "abc"),
    ("timestamp_ms,open,high,low,close,volume\n1,1,1,1,-5,1\n", "positive"),
    ("timestamp_ms,open,high,low,close,volume\n1,1,1,2,1,1\n", "high below its low"),
])
def test_bad_files_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(UserInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_candles(text, symbol="A/B")


def test_a_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="cannot read"):
        load_candles(tmp_path / "nope.csv", symbol="A/B")


def test_align_keeps_the_common_timestamps_of_several_symbols() -> None:
    first = series([(0, 1, 1, 1, 1), (HOUR, 2, 2, 2, 2), (3 * HOUR, 4, 4, 4, 4)], "A/USDT")
    second = series([(HOUR, 20, 20, 20, 20), (2 * HOUR, 30, 30, 30, 30), (3 * HOUR, 40, 40, 40, 40)], "B/USDT")

    a, b = align([first, second])

    assert a.ts.tolist() == b.ts.tolist() == [HOUR, 3 * HOUR]
    assert np.array_equal(b.close, [20.0, 40.0])
    assert b.candle(1).close == Decimal(40)
