"""Group commit: concurrent alerts share one transaction, duplicates stay exact inside a batch and
across processes, a row the database refuses fails alone, and nothing acknowledged is lost."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from engine.clock import FakeClock
from engine.storage.db import make_engine
from engine.storage.models import OrderRow
from hub.app import migrate
from hub.app.api import create_app
from hub.app.container import Container
from tests.conftest import LiveServer
from tests.kit.services import POSTGRES_URL, fresh_postgres_database, require
from tests.tradingview.conftest import Trader
from tradingview.alerts import DUPLICATE, PENDING, REJECTED, AlertRecord, AlertStore, AlertWriter, new_alert_id
from tradingview.routes import freeze_holders
from tradingview.storage import alerts as alerts_t
from tradingview.storage import hooks as hooks_t

HOOK = "tvh_groupcommit0001"


def _record(key: str, *, received_ms: int = 1_000, status: str = PENDING, **changes: object) -> AlertRecord:
    record = AlertRecord(
        new_alert_id(), HOOK, 1, received_ms, "127.0.0.1", "application/json", f'{{"id": "{key}"}}', None,
        f"id:{key}", False, status, status == PENDING, command_text="buy 0.001 BTC/USDT",
    )  # fmt: skip
    return replace(record, **changes)  # type: ignore[arg-type]


def _add_hook(db: Engine) -> None:
    with db.begin() as conn:
        conn.execute(
            hooks_t.insert().values(
                id=HOOK, user_id=1, token_hash="0" * 64, token_hint="000000", mode="orders",
                rate_limit="1000/second", label="", created_ms=0,
            )
        )  # fmt: skip


def _rows(db: Engine) -> list[AlertRecord]:
    return AlertStore(db, window_ms=60_000, publish=lambda _event: None).list(None, limit=10_000)


class _Counting(AlertStore):
    """An ``AlertStore`` that remembers the size of every batch it was asked to store."""

    def __init__(self, db: Engine) -> None:
        super().__init__(db, window_ms=60_000, publish=lambda _event: None)
        self.batches: list[int] = []

    def insert_batch(self, records: list[AlertRecord], now_ms: int) -> tuple[list[AlertRecord | Exception], list]:  # type: ignore[type-arg]
        self.batches.append(len(records))
        return super().insert_batch(records, now_ms)


async def _store_all(store: AlertStore, records: list[AlertRecord], *, in_thread: bool) -> list[object]:
    """Hand every record to one writer at once; each result is the stored row or the error."""
    writer = AlertWriter(store, lambda: 2_000, batch=256, on_stored=lambda _rows: None, in_thread=in_thread)
    try:
        return await asyncio.gather(*(writer.store_one(r) for r in records), return_exceptions=True)
    finally:
        await writer.close()


@pytest.mark.parametrize("in_thread", [True, False])
def test_duplicates_inside_one_batch_keep_exactly_one_accepted(container: Container, in_thread: bool) -> None:
    store = _Counting(container.db)
    records = [_record(f"sig-{i % 4}") for i in range(12)]  # four ids, three copies each, all queued together

    results = asyncio.run(_store_all(store, records, in_thread=in_thread))

    assert store.batches == [12]  # one transaction for the whole burst
    assert all(isinstance(r, AlertRecord) for r in results)
    stored = [r for r in results if isinstance(r, AlertRecord)]
    first = {}
    for record in stored:  # the first copy queued is the one accepted; the others point at it
        first.setdefault(record.dedupe_key, record.id)
        expected = (PENDING, None) if first[record.dedupe_key] == record.id else (DUPLICATE, first[record.dedupe_key])
        assert (record.status, record.duplicate_of) == expected
    assert Counter(r.status for r in _rows(container.db)) == {PENDING: 4, DUPLICATE: 8}


def test_a_row_the_database_refuses_fails_alone_and_its_batch_mates_are_stored(container: Container) -> None:
    store = _Counting(container.db)
    good = [_record("good-1"), _record("good-2", status=REJECTED, reason="passphrase: does not match")]
    broken = _record("broken", body=None)  # NOT NULL: only the database can refuse it
    again = _record("good-1")  # a duplicate of a batch-mate: still decided exactly, row by row

    results = asyncio.run(_store_all(store, [good[0], broken, good[1], again], in_thread=True))

    assert store.batches == [4]
    assert isinstance(results[1], Exception)
    assert [r.status for r in (results[0], results[2], results[3])] == [PENDING, REJECTED, DUPLICATE]  # type: ignore[union-attr]
    assert results[3].duplicate_of == good[0].id  # type: ignore[union-attr]
    assert sorted(r.id for r in _rows(container.db)) == sorted([good[0].id, good[1].id, again.id])


def test_a_lone_alert_is_committed_at_once(container: Container) -> None:
    store = _Counting(container.db)

    async def one_by_one() -> list[AlertRecord]:
        writer = AlertWriter(store, lambda: 2_000, batch=256, on_stored=lambda _rows: None)
        try:  # each awaited before the next: nothing to wait for, no timer to run out
            return [await asyncio.wait_for(writer.store_one(_record(f"lone-{i}")), 30) for i in range(3)]
        finally:
            await writer.close()

    assert [r.status for r in asyncio.run(one_by_one())] == [PENDING] * 3
    assert store.batches == [1, 1, 1]


def _eventually(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.05)


def _order_count(container: Container) -> int:
    with container.db.connect() as conn:
        return conn.execute(select(func.count()).select_from(OrderRow)).scalar_one()


async def _burst(url: str, bodies: list[str]) -> list[httpx.Response]:
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=64), timeout=60) as client:
        return await asyncio.gather(
            *(client.post(url, content=b, headers={"Content-Type": "application/json"}) for b in bodies)
        )


def test_a_burst_with_copies_of_each_alert_places_one_order_per_id(alice: Trader) -> None:
    hook = alice.create_hook(rate_limit="1000/second")
    ids = [f"burst-{i}" for i in range(12)]
    bodies = [f'{{"ticker": "BTCUSDT", "action": "buy", "contracts": "0.001", "id": "{i}"}}' for i in ids] * 4

    responses = asyncio.run(_burst(f"{alice.url}{hook['url']}", bodies))

    assert {r.status_code for r in responses} == {200}
    accepted = {r.json()["alert_id"] for r in responses if r.json()["status"] == "accepted"}
    assert len(accepted) == len(ids)
    assert {r.json()["duplicate_of"] for r in responses if r.json()["status"] == "duplicate"} == accepted
    for alert_id in accepted:
        assert alice.outcome(alert_id, timeout=60)["status"] == "executed"
    assert _order_count(alice.container) == len(ids)
    assert len(alice.alerts(limit=1000)) == len(bodies)


@pytest.fixture
def restartable(container: Container, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Container, str]]:
    container.add_user("alice")
    yield container, container.services.users.create_key("alice")
    monkeypatch.delenv("TRADEHUB_TRADINGVIEW_EXECUTE", raising=False)


WITH_ID = '{"ticker": "BTCUSDT", "action": "buy", "contracts": "0.001", "id": "restart-1"}'


def test_an_alert_acknowledged_before_a_stop_is_executed_after_the_restart(
    restartable: tuple[Container, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    container, key = restartable
    monkeypatch.setenv("TRADEHUB_TRADINGVIEW_EXECUTE", "false")  # the process stops before executing it
    holders = freeze_holders()  # apps other tests left running in this process hold it too
    with LiveServer(create_app(container)) as first:
        trader = Trader(first.url, key, container)
        hook = trader.create_hook()
        ack = trader.send(hook, WITH_ID, content_type="application/json")
        assert ack.json()["status"] == "accepted"
        assert trader.alerts()[0]["status"] == "pending"
        assert gc.get_freeze_count() > 0  # the app's start-up objects are out of the collector's way
        assert freeze_holders() == holders + 1
    assert _order_count(container) == 0
    _eventually(lambda: freeze_holders() == holders)  # and handed back when it stopped
    if holders == 0:
        assert gc.get_freeze_count() == 0

    monkeypatch.setenv("TRADEHUB_TRADINGVIEW_EXECUTE", "true")
    with LiveServer(create_app(container)) as second:
        done = Trader(second.url, key, container).outcome(ack.json()["alert_id"], timeout=60)
    assert done["status"] == "executed"
    assert _order_count(container) == 1


def test_an_alert_left_executing_by_a_crash_runs_once_after_the_restart(
    restartable: tuple[Container, str], clock: FakeClock
) -> None:
    container, key = restartable
    with LiveServer(create_app(container)) as first:
        trader = Trader(first.url, key, container)
        hook = trader.create_hook()
        ack = trader.send(hook, WITH_ID, content_type="application/json")
        done = trader.outcome(ack.json()["alert_id"], timeout=60)
    # the process died after placing the order, before recording the outcome
    with container.db.begin() as conn:
        conn.execute(update(alerts_t).where(alerts_t.c.id == done["id"]).values(status="executing", order_id=None))
    clock.advance(61_000)  # older than the executor's stale limit

    with LiveServer(create_app(container)) as second:
        again = Trader(second.url, key, container).outcome(done["id"], timeout=60)
    assert (again["status"], again["order_id"]) == ("executed", done["order_id"])
    assert _order_count(container) == 1


@pytest.fixture
def postgres() -> Iterator[str]:
    with fresh_postgres_database(require(POSTGRES_URL, "PostgreSQL")) as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        _add_hook(engine)
        engine.dispose()
        yield url


def test_replicas_on_postgresql_accept_each_id_once(postgres: str) -> None:
    """Two processes (engines) storing copies of the same alerts at the same time."""
    replicas = [make_engine(postgres), make_engine(postgres)]
    stores = [AlertStore(db, window_ms=60_000, publish=lambda _event: None) for db in replicas]
    start = threading.Barrier(4)

    def replica(n: int) -> list[AlertRecord | Exception]:
        store = stores[n % 2]
        start.wait(timeout=30)
        outcomes: list[AlertRecord | Exception] = []
        for round_ in range(10):
            batch = [_record(f"rep-{round_}-{i % 3}") for i in range(6)]  # in-batch copies too
            outcomes.extend(store.insert_batch(batch, 2_000)[0])
        return outcomes

    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = [outcome for outcomes in pool.map(replica, range(4)) for outcome in outcomes]
        assert not [r for r in results if isinstance(r, Exception)]
        rows = _rows(replicas[0])
    finally:
        for db in replicas:
            db.dispose()
    assert len(rows) == 4 * 10 * 6
    accepted = Counter(r.dedupe_key for r in rows if r.status == PENDING)
    assert accepted == {f"id:rep-{round_}-{i}": 1 for round_ in range(10) for i in range(3)}
    first = {r.dedupe_key: r.id for r in rows if r.status == PENDING}
    assert all(r.duplicate_of == first[r.dedupe_key] for r in rows if r.status == DUPLICATE)


def test_on_postgresql_a_refused_row_fails_alone(postgres: str) -> None:
    db = make_engine(postgres)
    try:
        store = _Counting(db)
        ok, too_long = _record("pg-ok"), _record("pg-long", source_ip="x" * 65)  # over String(64)

        results = asyncio.run(_store_all(store, [ok, too_long], in_thread=True))

        assert store.batches == [2]
        assert isinstance(results[0], AlertRecord) and isinstance(results[1], Exception)
        assert [r.id for r in _rows(db)] == [ok.id]
    finally:
        db.dispose()
