"""Receiving one alert: authenticate, check the source, read, rate-limit, store, acknowledge.

Everything after the token check is recorded, whatever the answer: accepted alerts as
``pending`` (executed after the acknowledgement), refusals with their reason. A 5xx is answered
only when the record could not be stored, because TradingView resends on 5xx (except 504).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import structlog

from engine.errors import RateLimited, TradehubError, UnknownSymbol
from hub.app.container import Container
from tradingview.alerts import PENDING, RATE_LIMITED, REJECTED, AlertRecord, AlertStore, AlertWriter, new_alert_id
from tradingview.config import TradingViewSettings, expand_ips
from tradingview.executor import AlertExecutor
from tradingview.hooks import Hook, HookStore
from tradingview.parse import AlertRejected, Decoded, Signal, decode, dedupe_key, interpret
from tradingview.ratelimit import HookLimiters

log = structlog.get_logger(__name__)
MAX_BODY = 65_536
MARKET_CHECK_S = 1.0
UNTRUSTED_PROXY = "untrusted-proxy"


@dataclass(frozen=True, slots=True)
class Answer:
    """The HTTP answer to one alert."""

    status: int
    body: dict[str, Any]
    headers: Mapping[str, str] | None = None

    def encoded(self) -> bytes:
        return json.dumps(self.body, separators=(",", ":")).encode()


@dataclass(frozen=True, slots=True)
class Source:
    """Where a request came from, as far as the trusted proxies vouch for it."""

    ip: str
    client_cert_dn: str | None


def source_of(client: tuple[str, int] | None, headers: Mapping[str, str], settings: TradingViewSettings) -> Source:
    """The client address: ``X-Forwarded-For`` is read only when the peer is a trusted proxy, from
    the right, skipping trusted hops; the client-certificate header likewise.

    uvicorn itself replaces the peer with the forwarded address when the peer is in its own
    ``--forwarded-allow-ips`` (127.0.0.1 by default) and then reports port 0, which no TCP peer
    has. The real peer is lost then: it is one of uvicorn's trusted proxies, so the forwarded
    chain is believed only if tradehub trusts proxies too, else the source is ``UNTRUSTED_PROXY``.
    """
    host, port = client or ("", 0)
    forwarded_header = headers.get("x-forwarded-for")
    trusted = frozenset(settings.trusted_proxies)
    rewritten = port == 0 and forwarded_header is not None
    if rewritten and not trusted:
        return Source(UNTRUSTED_PROXY, None)
    if not rewritten and host not in trusted:
        return Source(host, None)
    forwarded = [hop.strip() for hop in (forwarded_header or "").split(",") if hop.strip()]
    address = next((hop for hop in reversed(forwarded) if hop not in trusted), forwarded[0] if forwarded else host)
    return Source(address, headers.get(settings.client_cert_header.lower()))


class TradingViewService:
    def __init__(self, container: Container, settings: TradingViewSettings) -> None:
        self.container = container
        self.settings = settings
        self.clock = container.clock
        self.hooks = HookStore(container.db, container.clock, default_rate_limit=settings.rate_limit)
        self.store = AlertStore(container.db, window_ms=settings.dedupe_window_s * 1000, publish=container.bus.publish)
        self.inflight = 0  # alerts being received right now
        busy = self._busy
        self.executor = AlertExecutor(container.hub, self.store, busy=busy) if settings.execute else None
        self.writer = AlertWriter(
            self.store,
            self.clock.now_ms,
            batch=settings.write_batch,
            on_stored=self._stored,
            in_thread=settings.write_in_thread,
        )
        self._global_ips = expand_ips(settings.allowed_ips)
        self._limiters = HookLimiters(container.settings.redis_url)

    def _busy(self) -> bool:
        return self.inflight > 0

    def _stored(self, records: list[AlertRecord]) -> None:
        if self.executor is not None and any(record.status == PENDING for record in records):
            self.executor.wake()

    async def receive(
        self,
        token: str,
        raw: bytes,
        *,
        client: tuple[str, int] | None,
        headers: Mapping[str, str],
        content_type: str,
    ) -> Answer:
        """Answer one alert; counted in flight so the executor gives way to acknowledgements."""
        self.inflight += 1
        try:
            return await self._receive(token, raw, client=client, headers=headers, content_type=content_type)
        finally:
            self.inflight -= 1

    async def _receive(
        self,
        token: str,
        raw: bytes,
        *,
        client: tuple[str, int] | None,
        headers: Mapping[str, str],
        content_type: str,
    ) -> Answer:
        hook = self.hooks.by_token(token)
        if hook is None:
            return Answer(404, _error("not_found", "Not Found"))
        if len(raw) > MAX_BODY:
            return Answer(413, _error("payload_too_large", f"body exceeds {MAX_BODY} bytes"))
        now = self.clock.now_ms()
        source = source_of(client, headers, self.settings)
        draft = _Draft(hook, now, source.ip[:64], content_type[:100], raw.decode("utf-8", "replace"))
        try:
            self._check_source(hook, source)
            self._limiters.hit(hook.rate_limit, hook.id)  # every alert counts, valid or not
            decoded = decode(raw)
            draft.dedupe_key, draft.windowed = dedupe_key(decoded, raw)
            draft.unknown_keys = decoded.unknown or None
            hook.check_passphrase(decoded.passphrase)
            self._check_age(decoded, now)
            signal = interpret(decoded, hook.rules)
            await self._check_market(signal)
        except RateLimited as error:
            stored = await self._store(draft.record(RATE_LIMITED, reason=error.message))
            return _answer(stored, error, headers={"Retry-After": str(error.retry_after)})
        except TradehubError as error:
            stored = await self._store(draft.record(REJECTED, reason=error.message))
            return _answer(stored, error)
        stored = await self._store(draft.record(PENDING, signal=signal))
        return _answer(stored)

    async def _store(self, record: AlertRecord) -> AlertRecord | None:
        try:
            return await self.writer.store_one(record)
        except Exception:  # logged by the writer; answered with 503 so TradingView resends
            return None

    def _check_source(self, hook: Hook, source: Source) -> None:
        if self._global_ips and source.ip not in self._global_ips:
            raise AlertRejected("source", f"address {source.ip} is not allowed", status=403, code="ip_not_allowed")
        if hook.allowed_ips is not None and source.ip not in hook.allowed_ips:
            raise AlertRejected(
                "source", f"address {source.ip} is not on this hook's allow-list", status=403, code="ip_not_allowed"
            )
        if self.settings.require_client_cert:
            expected = f"CN={self.settings.client_cert_cn}"
            parts = [part.strip() for part in (source.client_cert_dn or "").replace("/", ",").split(",")]
            if expected not in parts:
                raise AlertRejected(
                    "source", f"no client certificate with {expected} was forwarded", status=403, code="no_client_cert"
                )

    async def _check_market(self, signal: Signal) -> None:
        """Refuse unknown venues and symbols now, while the sender can still be told."""
        try:
            venue = self.container.services.venues.get(signal.venue)
        except TradehubError as error:
            raise AlertRejected("venue", error.message, code="unknown_venue") from None
        local = getattr(venue, "instrument_now", None)  # in-process venues answer without I/O
        try:
            if local is not None:
                local(signal.symbol)
            else:
                await asyncio.wait_for(venue.instrument(signal.symbol), MARKET_CHECK_S)
        except TimeoutError:
            log.warning("market check timed out; the executor will decide", venue=venue.name, symbol=signal.symbol)
        except UnknownSymbol as error:
            raise AlertRejected("ticker", error.message, code="unknown_symbol") from None

    def _check_age(self, decoded: Decoded, now: int) -> None:
        if decoded.time_ms is None:
            return
        max_lag_s = decoded.max_lag_s or self.settings.max_lag_s
        age_ms = now - decoded.time_ms
        if age_ms > max_lag_s * 1000:
            raise AlertRejected(
                "time", f"the alert is {age_ms // 1000} s old, over max_lag {max_lag_s} s", code="stale"
            )
        if -age_ms > self.settings.future_skew_s * 1000:
            raise AlertRejected("time", f"the alert is {-age_ms // 1000} s in the future", code="stale")


class _Draft:
    """What is known of an alert so far; becomes one ``AlertRecord`` when its fate is decided."""

    __slots__ = ("body", "content_type", "dedupe_key", "hook", "received_ms", "source_ip", "unknown_keys", "windowed")

    def __init__(self, hook: Hook, received_ms: int, source_ip: str, content_type: str, body: str) -> None:
        self.hook = hook
        self.received_ms = received_ms
        self.source_ip = source_ip
        self.content_type = content_type
        self.body = body
        self.dedupe_key = "unread"
        self.windowed = False
        self.unknown_keys: dict[str, Any] | None = None

    def record(self, status: str, *, reason: str | None = None, signal: Signal | None = None) -> AlertRecord:
        return AlertRecord(
            new_alert_id(), self.hook.id, self.hook.user_id, self.received_ms, self.source_ip, self.content_type,
            self.body, self.unknown_keys, self.dedupe_key, self.windowed, status, status == PENDING,
            command_text=None if signal is None else signal.command_text(),
            intent=None if signal is None else signal.to_json(),
            reason=None if reason is None else reason[:1000],
        )  # fmt: skip


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _answer(
    stored: AlertRecord | None, error: TradehubError | None = None, *, headers: Mapping[str, str] | None = None
) -> Answer:
    if stored is None:
        return Answer(503, _error("unavailable", "the alert could not be stored; retry"), {"Retry-After": "5"})
    if error is not None:
        body = _error(error.code, error.message)
        body["alert_id"] = stored.id
        return Answer(error.http_status, body, headers)
    body = {"ok": True, "alert_id": stored.id, "status": "accepted" if stored.status == PENDING else stored.status}
    if stored.duplicate_of is not None:
        body["duplicate_of"] = stored.duplicate_of
    return Answer(200, body)
