"""Config, factory, client ids and error conversion for the six exchanges the issue names."""

from __future__ import annotations

import decimal
import logging

import ccxt
import pytest

from engine.errors import InsufficientBalance, NotFound, OperatorError, OrderRejectedByVenue, VenueUnavailable
from engine.venues.ccxt import CcxtVenue, CcxtVenueConfig, Credentials
from engine.venues.ccxt.client_ids import exchange_client_id, is_tradehub_client_id
from engine.venues.ccxt.errors import convert, scrub
from engine.venues.ccxt.factory import build_exchange, rebase_urls
from engine.venues.ccxt.profiles import profile_for

EXCHANGES = ["binance", "okx", "coinbase", "kraken", "kucoin", "bybit"]
SECRET = "s3cr3t-Value-That-Must-Not-Leak"
KEY = "public-Api-Key-0123456789"


def _strings(tree: object) -> list[str]:
    if isinstance(tree, str):
        return [tree]
    if isinstance(tree, dict):
        return [text for value in tree.values() for text in _strings(value)]
    return []


def test_config_repr_hides_credentials() -> None:
    config = CcxtVenueConfig("okx", Credentials(KEY, SECRET, "passphrase-1"))

    shown = repr(config) + str(config) + repr(config.credentials)

    assert SECRET not in shown and KEY not in shown and "passphrase-1" not in shown
    assert "api_key=***" in repr(config.credentials)
    assert config.name == "okx"


def test_invalid_config_is_an_operator_error() -> None:
    with pytest.raises(OperatorError, match="not a valid ccxt exchange id"):
        CcxtVenueConfig("Binance!")
    with pytest.raises(OperatorError, match="has no exchange 'notanexchange'"):
        build_exchange(CcxtVenueConfig("notanexchange"))


@pytest.mark.parametrize("exchange_id", EXCHANGES)
async def test_factory_points_every_rest_url_at_the_configured_base(exchange_id: str) -> None:
    config = CcxtVenueConfig(exchange_id, Credentials(KEY, SECRET, "pw"), api_url="http://127.0.0.1:9", timeout_ms=1234)

    exchange = build_exchange(config)
    try:
        urls = _strings(exchange.urls["api"])
        assert urls and all(url.startswith(("http://127.0.0.1:9", "ws://127.0.0.1:9")) for url in urls)
        assert any(url.startswith("http://127.0.0.1:9") for url in urls)
        assert exchange.timeout == 1234
        assert (exchange.apiKey, exchange.secret) == (KEY, SECRET)
        assert exchange.session is None  # nothing connects before the first request
    finally:
        await exchange.close()


async def test_binance_loads_spot_markets_only() -> None:
    exchange = build_exchange(CcxtVenueConfig("binance", options={"recvWindow": 7000}))
    try:
        assert exchange.options["fetchMarkets"]["types"] == ["spot"]
        assert exchange.options["fetchMargins"] is False
        assert exchange.options["fetchCurrencies"] is False
        assert exchange.options["recvWindow"] == 7000
    finally:
        await exchange.close()


@pytest.mark.parametrize("exchange_id", ["binance", "okx", "bybit"])
async def test_sandbox_flag_switches_to_the_testnet(exchange_id: str) -> None:
    exchange = build_exchange(CcxtVenueConfig(exchange_id, sandbox=True))
    try:
        assert exchange.isSandboxModeEnabled
        if exchange_id == "okx":
            assert exchange.headers.get("x-simulated-trading") == "1"
        else:
            assert any("test" in url for url in _strings(exchange.urls["api"]))
    finally:
        await exchange.close()


@pytest.mark.parametrize("exchange_id", ["kraken", "coinbase", "kucoin"])
def test_sandbox_flag_on_an_exchange_without_testnet_is_refused(exchange_id: str) -> None:
    with pytest.raises(OperatorError, match="has no sandbox/testnet"):
        build_exchange(CcxtVenueConfig(exchange_id, sandbox=True))


def test_rebase_keeps_paths_and_placeholders_resolve() -> None:
    urls = {"rest": "https://{hostname}", "sapi": "https://api.binance.com/sapi/v1", "n": None}

    rebased = rebase_urls(urls, "http://127.0.0.1:8080")

    assert rebased == {"rest": "http://127.0.0.1:8080", "sapi": "http://127.0.0.1:8080/sapi/v1", "n": None}
    with pytest.raises(OperatorError):
        rebase_urls(urls, "127.0.0.1:8080")


@pytest.mark.parametrize("exchange_id", EXCHANGES)
def test_client_ids_are_deterministic_and_fit_the_exchange(exchange_id: str) -> None:
    profile = profile_for(exchange_id)

    first = exchange_client_id("idem-key-42:user-7", profile)

    assert first == exchange_client_id("idem-key-42:user-7", profile)
    assert first != exchange_client_id("idem-key-43:user-7", profile)
    assert len(first) == profile.client_id_length and first.isalnum()
    assert is_tradehub_client_id(first, profile)
    assert not is_tradehub_client_id("web_ABCDEF", profile)


def test_scrub_removes_url_queries_signatures_and_secrets() -> None:
    text = f"binance GET https://x/api?timestamp=1&signature=abc 400 {{'msg': 'bad {SECRET}', apiKey={KEY}}}"

    cleaned = scrub(text, (SECRET, KEY))

    assert SECRET not in cleaned and KEY not in cleaned
    assert "signature" not in cleaned and "https://x/api" in cleaned


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ccxt.RequestTimeout("t"), VenueUnavailable),
        (ccxt.RateLimitExceeded("r"), VenueUnavailable),
        (ccxt.ExchangeNotAvailable("503"), VenueUnavailable),
        (ccxt.InsufficientFunds("f"), InsufficientBalance),
        (ccxt.OrderNotFound("o"), NotFound),
        (ccxt.InvalidOrder("i"), OrderRejectedByVenue),
        (ccxt.NotSupported("n"), OperatorError),
    ],
)
def test_ccxt_errors_map_onto_the_engine_tree(error: Exception, expected: type) -> None:
    converted = convert(error, venue="binance", action="place order", secrets=(SECRET,))

    assert type(converted) is expected
    assert converted.message.startswith("binance: place order failed")


def test_rate_limited_errors_carry_their_own_code() -> None:
    converted = convert(ccxt.DDoSProtection("429"), venue="okx", action="fetch ticker", secrets=())

    assert converted.code == "venue_rate_limited"


async def test_ccxt_debug_log_never_shows_credentials(caplog: pytest.LogCaptureFixture) -> None:
    venue = CcxtVenue.from_config(CcxtVenueConfig("binance", Credentials(KEY, SECRET)))
    caplog.set_level(logging.DEBUG)
    try:
        logging.getLogger("ccxt.base.exchange").debug("Request: %s", {"X-MBX-APIKEY": KEY, "secret": SECRET})
    finally:
        await venue.close()

    assert "X-MBX-APIKEY" in caplog.text
    assert KEY not in caplog.text and SECRET not in caplog.text


async def test_rounding_an_order_leaves_the_process_decimal_context_alone() -> None:
    exchange = build_exchange(CcxtVenueConfig("binance"))
    try:
        with decimal.localcontext() as context:
            assert exchange.decimal_to_precision("0.12345", 0, "0.001", 4) == "0.123"  # TRUNCATE to a tick
            # ccxt alone leaves ROUND_HALF_UP with Underflow trapped here, for every later division
            assert context.rounding == decimal.ROUND_HALF_EVEN and not context.traps[decimal.Underflow]
    finally:
        await exchange.close()
