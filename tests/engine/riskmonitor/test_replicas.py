"""Two ``tradehub serve`` replicas on one PostgreSQL database evaluate the same breach at the same moment:
one alert, one ``risk.alert`` event, one Slack message."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.clock import FakeClock
from engine.riskmonitor import storage as t
from engine.riskmonitor.plugin import loop_for, monitor_for
from engine.storage.repository import outbox_t
from hub.app.container import Container, build
from hub.principals import Role
from tests.conftest import START_MS
from tests.engine.riskmonitor.desk import desk_settings
from tests.fakes.slack import FakeSlack
from tests.kit.services import POSTGRES_URL, fresh_postgres_database, require


@pytest.fixture
def replicas(tmp_path: Path, fake_slack: FakeSlack) -> Iterator[list[Container]]:
    with fresh_postgres_database(require(POSTGRES_URL, "PostgreSQL")) as url:
        clock = FakeClock(START_MS)
        built = []
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            slack = {"slack_bot_token": fake_slack.bot_token, "slack_api_url": fake_slack.api_url}
            settings = desk_settings(tmp_path / name, database_url=url, **slack)
            built.append(build(settings, clock=clock))
        try:
            yield built
        finally:
            for container in built:
                container.close()


def at_once(jobs: list[Callable[[], Awaitable[Any]]]) -> list[Any]:
    """Run each coroutine in its own thread and event loop, released together."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(index: int) -> None:
        barrier.wait()
        results[index] = asyncio.run(jobs[index]())

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


async def test_one_breach_seen_by_two_replicas_alerts_once(replicas: list[Container], fake_slack: FakeSlack) -> None:
    first = replicas[0]
    alice = first.add_user("alice", role=Role.TRADER, team="desk")
    monitor_for(first).rules.set("desk", {"concentration": "40%", "slack_channel": "C0RISK0001"})
    reply = await first.hub.handle(alice, "buy 0.1 BTC/USDT", frontend="test")
    assert reply.ok, reply.text

    fired = at_once([monitor_for(c).evaluate_all for c in replicas * 2])
    posted = at_once([loop_for(c).poster.post_due for c in replicas])

    assert sorted(len(alerts) for alerts in fired) == [0, 0, 0, 1]
    assert sum(posted) == 1
    with first.db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.alerts)).scalar() == 1
        assert conn.execute(select(func.count()).where(outbox_t.c.type == "risk.alert")).scalar() == 1
    assert len(fake_slack.journal.requests("chat.postMessage")) == 1
