"""A storm of 1,000 alerts in about a second: rate limited per hook, and every alert on record."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import httpx

from tests.tradingview.conftest import Trader


async def _storm(url: str, count: int) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        gate = asyncio.Semaphore(50)

        async def one(i: int) -> httpx.Response:
            body = json.dumps({"ticker": "BTCUSDT", "action": "buy", "contracts": "0.001", "id": f"storm-{i}"})
            async with gate:
                return await client.post(url, content=body, headers={"Content-Type": "application/json"})

        return await asyncio.gather(*(one(i) for i in range(count)))


def test_a_storm_is_rate_limited_without_losing_any_alert(alice: Trader) -> None:
    hook = alice.create_hook(rate_limit="100/hour")  # the storm must end inside the window, however busy the box

    responses = asyncio.run(_storm(f"{alice.url}{hook['url']}", 1000))

    codes = Counter(r.status_code for r in responses)
    assert codes == {200: 100, 429: 900}
    limited = next(r for r in responses if r.status_code == 429)
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["error"]["code"] == "rate_limited"
    recorded = alice.alerts(limit=1000)
    assert len(recorded) == 1000
    assert {r.json()["alert_id"] for r in responses} == {a["id"] for a in recorded}
    accepted = [r.json()["alert_id"] for r in responses if r.status_code == 200]
    for alert_id in accepted[-3:]:
        assert alice.outcome(alert_id)["status"] == "executed"
    assert Counter(a["status"] for a in alice.alerts(limit=1000, status="rate_limited")) == {"rate_limited": 900}


def test_invalid_alerts_count_against_the_rate_limit_too(alice: Trader) -> None:
    hook = alice.create_hook(rate_limit="3/hour")
    invalid = [alice.send(hook, "not a command at all") for _ in range(3)]
    valid = alice.send(hook, "buy 0.001 BTC/USDT")
    assert [r.status_code for r in invalid] == [422, 422, 422]
    assert valid.status_code == 429
    assert alice.outcome(valid.json()["alert_id"])["reason"].startswith("rate limit of 3/hour per hook exceeded")
