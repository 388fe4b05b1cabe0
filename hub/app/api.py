"""The HTTP front-end (FastAPI): REST commands and queries, health, metrics and the event stream.

Authentication, rate limiting and error-to-JSON conversion are wired once here; routes stay thin
and reach commands through the hub's dispatcher.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

import structlog
from fastapi import Depends, FastAPI, Header, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine.errors import NotFound, RateLimited, TradehubError, Unauthenticated
from engine.events import Event
from engine.orders.algos.service import AlgoScheduler
from engine.orders.oms import order_payload
from hub.app import extensions, metrics
from hub.app.container import Container
from hub.app.middleware import BodyLimitMiddleware, MetricsMiddleware
from hub.app.ratelimit import RateLimiter
from hub.handlers import research
from hub.handlers.account import portfolio_payload
from hub.handlers.format import fill_payload
from hub.handlers.trading import PARENT_PREFIX
from hub.principals import Principal, Role
from hub.reply import Reply
from hub.symbols import normalize_symbol
from hub.users import hash_key
from sentiment.report import snapshot_payload

log = structlog.get_logger(__name__)
API = "/api/v1"
_AUTH_CACHE_S = 5.0


class CommandIn(BaseModel):
    text: str = Field(..., max_length=20_000, description="A command in the tradehub grammar")


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


class Authenticator:
    """Bearer API keys -> principals, with a short cache so a hot client costs no query per request."""

    def __init__(self, container: Container, limiter: RateLimiter) -> None:
        self.users = container.services.users
        self.limiter = limiter
        self._cache: dict[str, tuple[Principal, float]] = {}

    def principal(self, key: str | None) -> Principal:
        if not key:
            raise Unauthenticated("missing API key: send `Authorization: Bearer <key>`")
        digest = hash_key(key)
        cached = self._cache.get(digest)
        now = time.monotonic()
        if cached is None or cached[1] < now:
            principal = self.users.authenticate(key)
            self._cache[digest] = (principal, now + _AUTH_CACHE_S)
        else:
            principal = cached[0]
        self.limiter.hit(digest[:32])
        return principal


def bearer(authorization: str | None) -> str | None:
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip()
    return None


def authenticated(request: Request, authorization: Annotated[str | None, Header()] = None) -> Principal:
    """The one authentication (and rate limiting) dependency of every REST route."""
    return request.app.state.auth.principal(bearer(authorization))


Auth = Annotated[Principal, Depends(authenticated)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


def _check_order_id(order_id: str) -> None:
    """An id the grammar could never have produced is a plain 404, never a command."""
    if not order_id.isascii() or not order_id.replace("_", "").isalnum() or len(order_id) > 64:
        raise NotFound(f"no order {order_id[:64]}")


def reply_response(reply: Reply) -> JSONResponse:
    return JSONResponse(reply.to_json(), status_code=reply.status)


def create_app(container: Container, *, start_background: bool = True) -> FastAPI:
    settings = container.settings
    limiter = RateLimiter(settings.rate_limit, redis_url=settings.redis_url)
    auth = Authenticator(container, limiter)
    hub = container.hub
    services = container.services

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        summary = await services.oms.reconcile()
        log.info("orders reconciled at start", **summary)
        ticker = asyncio.create_task(_tick_loop(container)) if start_background else None
        try:
            async with contextlib.AsyncExitStack() as stack:
                if start_background:  # chat bots in polling / Socket Mode / gateway mode, when configured
                    for service in extensions.BACKGROUND:
                        await stack.enter_async_context(service(container))
                yield
        finally:
            if ticker is not None:
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker

    app = FastAPI(
        title="tradehub",
        version=metrics.VERSION,
        description="Chat-ops trading hub: one command grammar for REST, chat and TradingView.",
        lifespan=lifespan,
    )
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    _install_error_handlers(app)

    app.state.auth = auth
    for make_router in extensions.ROUTERS:  # optional packages (TradingView, webhooks, bots, ...)
        app.include_router(make_router(container))

    @app.post(f"{API}/commands", summary="Run one command in the tradehub grammar")
    async def run_command(body: CommandIn, principal: Auth, idempotency_key: IdempotencyKey = None) -> JSONResponse:
        reply = await hub.handle(principal, body.text, frontend="rest", idempotency_key=idempotency_key)
        metrics.COMMANDS.labels(ok=str(reply.ok).lower()).inc()
        return reply_response(reply)

    @app.get(f"{API}/orders", summary="Your orders, newest first")
    async def list_orders(
        principal: Auth, limit: Annotated[int, Query(ge=1, le=500)] = 50, venue: str | None = None
    ) -> dict[str, Any]:
        found = services.oms.orders(principal.user_id, venue=venue, limit=limit)
        return {"orders": [order_payload(o) for o in found]}

    @app.get(f"{API}/orders/{{order_id}}", summary="One of your orders, or an algo order (`alg_...`) with its progress")
    async def get_order(order_id: str, principal: Auth) -> dict[str, Any]:
        _check_order_id(order_id)
        if order_id.startswith(PARENT_PREFIX):  # TWAP/VWAP/iceberg/bracket parent: children and fill progress
            scheduler = AlgoScheduler(services.db, services.oms, services.clock)
            return {"order": scheduler.get(principal.user_id, order_id).to_payload()}
        return {"order": order_payload(services.oms.order(principal.user_id, order_id))}

    @app.delete(f"{API}/orders/{{order_id}}", summary="Cancel one of your orders, or an algo order with its children")
    async def cancel_order(order_id: str, principal: Auth, idempotency_key: IdempotencyKey = None) -> JSONResponse:
        _check_order_id(order_id)
        reply = await hub.handle(principal, f"cancel {order_id}", frontend="rest", idempotency_key=idempotency_key)
        return reply_response(reply)

    @app.get(f"{API}/fills", summary="Your fills, newest first")
    async def list_fills(
        principal: Auth, limit: Annotated[int, Query(ge=1, le=500)] = 50, venue: str | None = None
    ) -> dict[str, Any]:
        return {"fills": [fill_payload(f) for f in services.oms.fills(principal.user_id, venue=venue, limit=limit)]}

    @app.get(f"{API}/portfolio", summary="Balances, positions and P&L valued at current prices")
    async def get_portfolio(principal: Auth, venue: str | None = None) -> dict[str, Any]:
        return portfolio_payload(await services.portfolio.view(principal.user_id, venue=venue))

    @app.get(f"{API}/sentiment/{{symbol}}", summary="Sentiment index, 24 h change and top posts of an asset")
    async def get_sentiment(symbol: str, principal: Auth) -> dict[str, Any]:
        pair = normalize_symbol(symbol, default_quote="USDT")  # the grammar's own rules; bad input is a 400
        snapshot = await asyncio.to_thread(research.sentiment_snapshot, services, pair)
        return snapshot_payload(snapshot)

    @app.get("/healthz", summary="Liveness and database reachability")
    async def healthz() -> JSONResponse:
        try:
            with services.db.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as error:  # report, never raise, from a health check
            log.warning("health check failed", error=type(error).__name__)
            return JSONResponse({"status": "degraded", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok", "version": metrics.VERSION})

    @app.get("/metrics", summary="Prometheus metrics")
    async def prometheus() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.websocket(f"{API}/stream")
    async def stream(websocket: WebSocket, token: str | None = None) -> None:
        try:
            principal = auth.principal(token or bearer(websocket.headers.get("authorization")))
        except (Unauthenticated, RateLimited) as error:
            await websocket.accept()  # then close with a code the client can read
            await websocket.close(code=4401 if isinstance(error, Unauthenticated) else 4429, reason=error.message)
            return
        await _stream_events(websocket, container, principal)

    return app


async def _stream_events(websocket: WebSocket, container: Container, principal: Principal) -> None:
    await websocket.accept()
    queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=1000)

    def deliver(event: Event) -> None:
        if principal.role is Role.ADMIN or event.user_id in (None, principal.user_id):
            with contextlib.suppress(asyncio.QueueFull):  # a slow reader loses events, never blocks trading
                queue.put_nowait(event)

    subscription = container.bus.subscribe("*", deliver)

    async def send() -> None:
        await websocket.send_json({"type": "hello", "user": principal.name})
        while True:
            event = await queue.get()
            await websocket.send_json(event.to_dict())

    async def until_closed() -> None:
        # clients send nothing we act on; reading is how a closed socket or a server shutdown is seen
        while (await websocket.receive())["type"] != "websocket.disconnect":
            pass

    tasks = [asyncio.create_task(send()), asyncio.create_task(until_closed())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
                await task
        container.bus.unsubscribe(subscription)


async def _tick_loop(container: Container) -> None:
    """Let resting paper orders fill as the replayed price crosses them."""
    while True:
        await asyncio.sleep(container.settings.tick_interval_s)
        try:
            container.services.oms.on_tick()
        except Exception:  # keep ticking; the failure is logged with its traceback
            log.exception("tick failed")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TradehubError)
    async def tradehub_error(_request: Request, error: TradehubError) -> JSONResponse:
        headers = {}
        if isinstance(error, RateLimited):
            headers["Retry-After"] = str(error.retry_after)
        if isinstance(error, Unauthenticated):
            headers["WWW-Authenticate"] = "Bearer"
        return JSONResponse(error_body(error.code, error.message), status_code=error.http_status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        problems = []
        for item in error.errors():
            if item.get("type") == "json_invalid":
                problems.append(f"body: invalid JSON ({item.get('ctx', {}).get('error', 'decode error')})")
                continue
            where = ".".join(str(part) for part in item["loc"] if part != "body") or "body"
            problems.append(f"{where}: {item['msg']}")
        return JSONResponse(error_body("invalid_request", "; ".join(problems)), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(error.status_code, "error")
        return JSONResponse(error_body(code, str(error.detail)), status_code=error.status_code)
