"""Pytest fixtures for ccxt venues against ``FakeExchange``; list in tests/conftest.py via ``pytest_plugins``.

``exchange_case`` is parametrized over the faked exchanges (binance, okx, bybit, kucoin, kraken,
coinbase): a test that takes it runs once per exchange, with the real ccxt client signing requests
to a fresh fake on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from engine.venues.ccxt import CcxtVenue, CcxtVenueConfig, Credentials, RetryPolicy
from tests.fakes.exchange import Dialect, FakeExchange
from tests.fakes.exchange_binance import BINANCE
from tests.fakes.exchange_bybit import BYBIT
from tests.fakes.exchange_coinbase import COINBASE
from tests.fakes.exchange_kraken import KRAKEN
from tests.fakes.exchange_kucoin import KUCOIN
from tests.fakes.exchange_okx import OKX

DIALECTS: dict[str, Dialect] = {
    "binance": BINANCE,
    "okx": OKX,
    "bybit": BYBIT,
    "kucoin": KUCOIN,
    "kraken": KRAKEN,
    "coinbase": COINBASE,
}

# Shaped like real keys so a leak would be recognisable; never valid anywhere.
TEST_CREDENTIALS = {
    "binance": Credentials(
        api_key="vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
        secret="NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
    ),
    "okx": Credentials(
        api_key="5f3c9e2a-7b1d-4c8e-9a6f-2d4b8e1c7a3f",
        secret="8A3F5C1E9B7D2F4A6C8E0B1D3F5A7C9E",
        password="Tr4dehub-Passphrase",
    ),
    "bybit": Credentials(api_key="XqVb3nT8kLm2Pw9RsE", secret="Jd7Kq2Lw9Xz4Vb6Nm1Pr8Ts3Yu5Hg0FcAeBt7Q"),
    "kucoin": Credentials(
        api_key="64f1c2e3a9b8d70001e4f5a6", secret="b2c4e6f8-1a3c-4e5a-9b7d-0f2e4c6a8b1d", password="Kc-Pass-2024"
    ),
    "kraken": Credentials(
        api_key="kR4kEnPubl1cK3yF0rT3st1ngOnlyAbCdEfGhIjKlMnOpQrStUvWx01",
        secret="c2VjcmV0LWZvci10aGUta3Jha2VuLWZha2Utb25seS0wMTIzNDU2Nzg5YWJjZGVm",
    ),
    "coinbase": Credentials(api_key="cbTestKey9aQ2wE4rT6y", secret="cbTestSecretZx8Cv7Bn6Mm5Ll4Kk3Jj2H"),
}


class RecordedSleeps(list[float]):
    """An injectable ``sleep`` that records the backoff delays and does not wait."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)
        await asyncio.sleep(0)


@dataclass
class ExchangeCase:
    """A started fake exchange and a factory for venues pointed at it."""

    exchange_id: str
    fake: FakeExchange
    sleeps: RecordedSleeps = field(default_factory=RecordedSleeps)
    _venues: list[CcxtVenue] = field(default_factory=list)

    def config(self, **overrides: Any) -> CcxtVenueConfig:
        settings: dict[str, Any] = {
            "credentials": TEST_CREDENTIALS[self.exchange_id],
            "api_url": self.fake.url,
            "enable_rate_limit": False,
            "timeout_ms": 10_000,  # a local fake: only a loaded CI box is ever this slow (timeout tests set 200)
            "close_grace_ms": 0,
            "retry": RetryPolicy(attempts=4, initial_delay_s=0.01, max_delay_s=0.05),
        }
        settings.update(overrides)
        return CcxtVenueConfig(self.exchange_id, **settings)

    def venue(self, **overrides: Any) -> CcxtVenue:
        venue = CcxtVenue.from_config(self.config(**overrides), sleep=self.sleeps)
        self._venues.append(venue)
        return venue

    async def close(self) -> None:
        for venue in self._venues:
            await venue.close()


async def _start_case(exchange_id: str, **fake_options: Any) -> ExchangeCase:
    credentials = TEST_CREDENTIALS[exchange_id]
    fake = FakeExchange(
        DIALECTS[exchange_id],
        api_key=credentials.api_key,
        secret=credentials.secret,
        password=credentials.password,
        **fake_options,
    )
    await fake.start()
    return ExchangeCase(exchange_id, fake)


async def _stop_case(case: ExchangeCase) -> None:
    await case.close()
    await case.fake.stop()
    if case.fake.server_errors:
        pytest.fail("the fake exchange crashed while serving ccxt:\n" + "\n".join(case.fake.server_errors))


@pytest.fixture(params=sorted(DIALECTS))
async def exchange_case(request: pytest.FixtureRequest) -> AsyncIterator[ExchangeCase]:
    """A fresh fake of each faked exchange (binance, okx, bybit, kucoin, kraken, coinbase) with a venue factory."""
    case = await _start_case(request.param)
    try:
        yield case
    finally:
        await _stop_case(case)


@pytest.fixture
async def make_exchange_case() -> AsyncIterator[Callable[..., Any]]:
    """Start a fake for one exchange id with custom markets or balances: ``await make(id, balances=...)``."""
    started: list[ExchangeCase] = []

    async def make(exchange_id: str, **fake_options: Any) -> ExchangeCase:
        case = await _start_case(exchange_id, **fake_options)
        started.append(case)
        return case

    try:
        yield make
    finally:
        for case in started:
            await _stop_case(case)
