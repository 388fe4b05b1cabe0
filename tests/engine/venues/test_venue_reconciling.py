"""Reconciliation when the server starts: fills that happened while it was down are booked once,
orders the exchange no longer has are canceled, unknown open orders are reported, no secret is logged."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from engine.domain import OrderStatus
from engine.storage import repository as repo
from engine.venues.accounts import VenueAccounts
from engine.venues.managed import ManagedVenue
from engine.venues.reconciling import VenueReport
from engine.venues.tracker import OrderTracker, TrackingSettings
from hub.app import logs
from hub.app.cli import app
from hub.app.container import Container, build
from tests.engine.venues.conftest import MASTER_KEY, exchange_spec
from tests.engine.venues.test_venue_streamed_fills import STREAMING, booked_fills, resting_order, until
from tests.fakes.exchange_conftest import TEST_CREDENTIALS, ExchangeCase
from tests.kit.hubdriver import HubDriver

VENUE = "binance-main"


@asynccontextmanager
async def restarted(container: Container) -> AsyncIterator[Container]:
    """A second process on the same database: as ``tradehub serve`` starts, the OMS reconciles its
    orders, then the tracker starts (and reconciles each exchange account)."""
    again = build(container.settings, clock=container.clock)
    try:
        yield again
    finally:
        for venue in again.services.venues:
            if isinstance(venue, ManagedVenue):
                await venue.close()
        again.close()


async def placed_and_partly_filled(trader: HubDriver, case: ExchangeCase, tracker_settings: TrackingSettings) -> None:
    """A resting buy of 0.01 with a 0.004 fill booked while the server ran, then the server stops."""
    services = trader.container.services
    async with OrderTracker(services.oms, services.venues, tracker_settings):
        placed = await trader.push(f"buy 0.01 BTC/USDT @ 29000 on {VENUE}")
        assert placed.ok, placed.text
        case.fake.fill(resting_order(case), Decimal("0.004"))
        await until(lambda: booked_fills(trader, VENUE) == [Decimal("0.004")], "the first fill")
    for venue in services.venues:
        if isinstance(venue, ManagedVenue):
            await venue.close()


def report_of(container: Container) -> VenueReport | None:
    venue = container.services.venues.get(VENUE)
    assert isinstance(venue, ManagedVenue)
    return venue.last_reconciliation


async def test_a_fill_while_the_server_was_down_is_booked_once_after_a_restart(
    trader: HubDriver, venue_accounts: VenueAccounts, make_exchange_case, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    case = await make_exchange_case("binance")
    venue_accounts.add_exchange(trader.user.user_id, exchange_spec(case, VENUE))
    await placed_and_partly_filled(trader, case, STREAMING)
    resting = resting_order(case)
    case.fake.fill(resting, Decimal("0.002"))  # while tradehub is down: still partially filled
    case.fake.state.place("ETH/USDT", "sell", "limit", Decimal("0.5"), Decimal("2500"), "web-7")  # on the website

    async with restarted(trader.container) as again:
        await again.services.oms.reconcile()
        async with OrderTracker(again.services.oms, again.services.venues, STREAMING) as tracker:
            worker = tracker.worker(VENUE)
            await until(lambda: worker.reconciled and worker.caught_up, "the start-up reconciliation")
            rounds = worker.poll_rounds
            worker.poll_now()  # one more round: nothing new to book
            await until(lambda: worker.poll_rounds > rounds, "a poll round")
            assert booked_fills(trader, VENUE) == [Decimal("0.002"), Decimal("0.004")]
            case.fake.fill(resting, Decimal("0.004"))
            await until(lambda: booked_fills(trader, VENUE) == [Decimal("0.002"), Decimal("0.004"), Decimal("0.004")],
                        "the last fill, streamed")  # fmt: skip
        report = report_of(again)

    order = again.services.oms.orders(trader.user.user_id, venue=VENUE)[0]
    assert (order.status, order.filled_quantity) == (OrderStatus.FILLED, Decimal("0.01"))
    # the OMS's own start-up reconcile, which runs first, booked the missed fill: nothing left for the venue's
    assert report is not None and report.fills == 0 and report.checked == 1
    unknown = [(o.symbol, o.side.value, o.quantity, o.price) for o in report.unknown_open_orders]
    assert unknown == [("ETH/USDT", "sell", Decimal("0.5"), Decimal("2500"))]
    warning = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "unknown to tradehub" in r.getMessage()
    ]
    assert len(warning) == 1 and "sell 0.5 ETH/USDT @ 2500" in warning[0] and "placed elsewhere" in warning[0]
    credentials = TEST_CREDENTIALS["binance"]
    assert credentials.api_key not in caplog.text and credentials.secret not in caplog.text


async def test_an_order_the_exchange_no_longer_has_is_canceled_and_its_funds_released(
    trader: HubDriver, venue_accounts: VenueAccounts, make_exchange_case
) -> None:
    case = await make_exchange_case("kucoin")
    venue_accounts.add_exchange(trader.user.user_id, exchange_spec(case, VENUE))
    no_stream = TrackingSettings(poll_interval_s=0.1, safety_poll_s=3600, restart_delay_s=0.05)
    await placed_and_partly_filled(trader, case, no_stream)
    gone = resting_order(case)
    del case.fake.state.orders[gone.order_id]  # purged from the exchange's history while tradehub was down

    async with restarted(trader.container) as again:
        async with OrderTracker(again.services.oms, again.services.venues, no_stream) as tracker:
            await until(lambda: tracker.worker(VENUE).reconciled, "the start-up reconciliation")
        report = report_of(again)

    order = again.services.oms.orders(trader.user.user_id, venue=VENUE)[0]
    assert order.status is OrderStatus.CANCELED and order.filled_quantity == Decimal("0.004")
    assert "does not have this order" in (order.reason or "")
    assert report is not None and report.vanished == (order.id,)
    with again.db.connect() as conn:
        usdt = repo.balances(conn, trader.user.user_id, VENUE)["USDT"]
    assert usdt[1] == 0  # nothing locked for the canceled order any more


async def test_stream_and_reconciliation_with_refused_credentials_log_no_secret(
    trader: HubDriver, venue_accounts: VenueAccounts, make_exchange_case, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    case = await make_exchange_case("binance")
    real = TEST_CREDENTIALS["binance"]
    spec = exchange_spec(case, VENUE)
    wrong_secret = "NotTheSecret0123456789abcdefABCDEFnotthesecret0123456789abcdef"
    venue_accounts.add_exchange(trader.user.user_id, type(spec)(VENUE, "binance", real.api_key, wrong_secret,
                                                                api_url=case.fake.url))  # fmt: skip
    services = trader.container.services

    async with OrderTracker(services.oms, services.venues, STREAMING) as tracker:
        worker = tracker.worker(VENUE)
        await until(lambda: "reconciliation failed" in caplog.text and worker.stream_starts >= 1, "the failures")

    assert not worker.reconciled
    assert "refused the API credentials" in caplog.text
    assert real.api_key not in caplog.text and wrong_secret not in caplog.text


def run_cli(home: Path, *args: str, stdin: str = "") -> Result:
    env = {"TRADEHUB_HOME": str(home), "TRADEHUB_MASTER_KEY": MASTER_KEY}
    return CliRunner().invoke(app, list(args), input=stdin, env=env)


async def test_venue_reconcile_prints_the_report(
    tmp_path: Path, template_db: Path, make_exchange_case, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs, "configure", lambda *_args, **_kwargs: None)
    (tmp_path / "tradehub.db").write_bytes(template_db.read_bytes())
    case = await make_exchange_case("binance")
    case.fake.state.place("ETH/USDT", "sell", "limit", Decimal("0.5"), Decimal("2500"), "web-7")
    credentials = TEST_CREDENTIALS["binance"]

    assert (await asyncio.to_thread(run_cli, tmp_path, "user", "add", "alice")).exit_code == 0
    added = await asyncio.to_thread(
        run_cli, tmp_path, "venue", "add", VENUE, "--exchange", "binance", "--api-key-stdin", "--api-url",
        case.fake.url, stdin=f"{credentials.api_key}\n{credentials.secret}\n",
    )  # fmt: skip
    result = await asyncio.to_thread(run_cli, tmp_path, "venue", "reconcile", VENUE, "--dry-run")

    assert added.exit_code == 0, added.output
    output = result.output
    assert result.exit_code == 0, output
    assert "0 working order(s) checked" in output and "dry run" in output
    assert "unknown: sell 0.5 ETH/USDT @ 2500" in output
    assert "USDT" in output and credentials.secret not in output and credentials.api_key not in output
