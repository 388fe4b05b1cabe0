"""Timeouts, 429, 5xx and "order not found" races between ccxt and the fake exchange."""

from __future__ import annotations

import logging
import time
from decimal import Decimal

import pytest

from engine.domain import ClientOrderId, OrderStatus, OrderType, Side
from engine.errors import InsufficientBalance, TemporaryError, VenueError, VenueUnavailable
from engine.venues.base import OrderRequest
from engine.venues.ccxt import Credentials, RetryPolicy
from tests.fakes.exchange_conftest import TEST_CREDENTIALS, ExchangeCase

#: The client's timeout in the timeout tests, and how late the fake answers a delayed request. An ordinary
#: request must stay well inside the timeout even on a loaded CI box (an extra timeout and retry would change
#: the counts asserted). A delayed one always outlasts it: the fake, on the test's own event loop, sleeps
#: that long before answering, and the client's timer is due first. Teardown waits for the late answers,
#: so the delay is not longer than it needs to be.
TIMEOUT_MS = 2000
LATE_S = 3.0


def limit_buy(client_id: str, quantity: str = "0.01", price: str = "29000") -> OrderRequest:
    return OrderRequest(
        ClientOrderId(client_id), "BTC/USDT", Side.BUY, OrderType.LIMIT, Decimal(quantity), Decimal(price)
    )


async def test_timeout_after_placement_finds_the_order_instead_of_placing_another(
    exchange_case: ExchangeCase,
) -> None:
    venue, fake = exchange_case.venue(timeout_ms=TIMEOUT_MS), exchange_case.fake
    await venue.load_markets()
    fake.delay_next("create_order", seconds=LATE_S)

    update = await venue.submit(limit_buy("lost-response-1"))

    assert len(fake.state.orders) == 1
    assert fake.count("create_order") == 1
    placed = fake.order_by_client_id(venue.exchange_client_id("lost-response-1"))
    assert update.venue_order_id == fake.venue_order_id(placed)
    assert update.status is OrderStatus.OPEN


async def test_order_not_yet_listed_after_timeout_is_found_through_the_duplicate_id(
    exchange_case: ExchangeCase,
) -> None:
    venue, fake = exchange_case.venue(timeout_ms=TIMEOUT_MS), exchange_case.fake
    await venue.load_markets()
    fake.delay_next("create_order", seconds=LATE_S)
    fake.hide_next_lookups(1)  # the exchange has the order but its query side lags

    update = await venue.submit(limit_buy("lagging-1"))

    assert len(fake.state.orders) == 1
    assert fake.count("create_order") == 2  # the retry is refused as a duplicate client id
    assert update.venue_order_id == fake.venue_order_id(fake.order_by_client_id(venue.exchange_client_id("lagging-1")))


async def test_5xx_before_placement_is_retried_with_backoff_once_the_lookup_finds_nothing(
    exchange_case: ExchangeCase,
) -> None:
    venue, fake = exchange_case.venue(), exchange_case.fake
    await venue.load_markets()
    fake.fail_next("create_order", status=503)

    update = await venue.submit(limit_buy("after-503"))

    assert update.status is OrderStatus.OPEN
    assert len(fake.state.orders) == 1
    assert fake.count("create_order") == 2
    assert exchange_case.sleeps == [0.01]


async def test_429_honours_retry_after_without_treating_the_order_as_placed(exchange_case: ExchangeCase) -> None:
    venue, fake = exchange_case.venue(), exchange_case.fake
    await venue.load_markets()
    fake.fail_next("create_order", status=429, times=2)

    update = await venue.submit(limit_buy("throttled-1"))

    assert update.status is OrderStatus.OPEN
    assert len(fake.state.orders) == 1
    assert fake.count("create_order") == 3
    assert exchange_case.sleeps == [1.0, 1.0]  # the fake answers 429 with Retry-After: 1


async def test_reads_are_retried_on_429_and_timeouts(exchange_case: ExchangeCase) -> None:
    venue, fake = exchange_case.venue(timeout_ms=TIMEOUT_MS), exchange_case.fake
    await venue.load_markets()
    fake.fail_next("ticker", status=429)
    fake.delay_next("balance", seconds=LATE_S)

    assert await venue.last_price("BTC/USDT") == Decimal("30000")
    assert (await venue.balances())["USDT"] == Decimal("10000")
    assert fake.count("ticker") == 2 and fake.count("balance") == 2
    assert len(exchange_case.sleeps) == 2


async def test_persistent_5xx_gives_up_as_venue_unavailable(exchange_case: ExchangeCase) -> None:
    venue, fake = exchange_case.venue(), exchange_case.fake
    await venue.load_markets()
    fake.fail_next("balance", status=500, times=10)

    with pytest.raises(VenueUnavailable, match="fetch balance failed: exchange unreachable") as caught:
        await venue.balances()

    assert isinstance(caught.value, TemporaryError)
    assert fake.count("balance") == 4
    assert exchange_case.sleeps == [0.01, 0.02, 0.04]


async def test_persistent_5xx_on_placement_places_nothing_and_is_temporary(exchange_case: ExchangeCase) -> None:
    venue, fake = exchange_case.venue(), exchange_case.fake
    await venue.load_markets()
    fake.fail_next("create_order", status=502, times=10)

    with pytest.raises(VenueUnavailable):
        await venue.submit(limit_buy("down-1"))

    assert fake.state.orders == {}
    assert fake.count("create_order") == 4


async def test_rejections_are_not_retried(exchange_case: ExchangeCase) -> None:
    venue, fake = exchange_case.venue(), exchange_case.fake

    with pytest.raises(InsufficientBalance):
        await venue.submit(limit_buy("broke-1", "1", "29000"))

    assert fake.count("create_order") == 1
    assert exchange_case.sleeps == []


async def test_wrong_secret_is_an_auth_error_that_does_not_echo_it(exchange_case: ExchangeCase) -> None:
    real = TEST_CREDENTIALS[exchange_case.exchange_id]
    wrong = Credentials(api_key=real.api_key, secret="WrongSecretWrongSecret0123456789", password=real.password)
    venue = exchange_case.venue(credentials=wrong)

    with pytest.raises(VenueError, match="refused the API credentials") as caught:
        await venue.balances()

    assert caught.value.code == "venue_auth_failed"
    assert exchange_case.sleeps == []  # not retried
    for secret in wrong.secrets():
        assert secret not in str(caught.value)


async def test_secrets_never_reach_error_messages_or_logs(
    exchange_case: ExchangeCase, caplog: pytest.LogCaptureFixture
) -> None:
    credentials = TEST_CREDENTIALS[exchange_case.exchange_id]
    venue = exchange_case.venue(timeout_ms=TIMEOUT_MS, retry=RetryPolicy(attempts=2, initial_delay_s=0.01))
    fake = exchange_case.fake
    await venue.load_markets()
    echo = f"rejected key={credentials.api_key} secret={credentials.secret} pass={credentials.password}"
    fake.reject_next("balance", echo)
    fake.delay_next("balance", seconds=LATE_S, times=10)  # timeouts: ccxt's message carries the signed URL
    caplog.set_level(logging.DEBUG)

    with pytest.raises(VenueError) as rejected:
        await venue.balances()
    with pytest.raises(VenueUnavailable) as timed_out:
        await venue.balances()

    texts = [str(rejected.value), repr(rejected.value), str(timed_out.value), repr(timed_out.value), caplog.text]
    assert "rejected key=***" in str(rejected.value)  # the exchange's reason survives, scrubbed
    for secret in credentials.secrets():
        assert all(secret not in text for text in texts)
    errors = texts[:4]
    assert all("signature=" not in text and "timestamp=" not in text for text in errors)


async def test_rate_limit_spaces_requests(exchange_case: ExchangeCase) -> None:
    venue = exchange_case.venue(enable_rate_limit=True, rate_limit_ms=50)
    await venue.load_markets()

    started = time.perf_counter()
    for _ in range(4):
        await venue.last_price("BTC/USDT")
    elapsed = time.perf_counter() - started

    assert elapsed >= 0.15
