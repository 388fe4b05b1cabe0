"""A fake crypto exchange on 127.0.0.1 that the real ccxt client talks to.

The matching core (``ExchangeState``) is shared; each exchange's wire format and request signing
live in a dialect module (``exchange_binance.py``, ``exchange_okx.py``) that maps
``(method, path)`` to an operation. Tests inject failures per operation::

    async with FakeExchange(BINANCE, api_key=KEY, secret=SECRET) as fake:
        fake.fail_next("create_order", status=503)            # 5xx before the order is placed
        fake.delay_next("create_order", seconds=2.0)          # placed, but the response is late
        fake.hide_next_lookups(2)                             # "order not found" race after placement
        fake.fill(order, Decimal("0.4"))                      # a partial maker fill
        await fake.drop_websockets(refuse=True)               # streams cut; reconnects answered 503

The account's state and its order checks live in ``exchange_state.py``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from aiohttp import web

from tests.fakes.exchange_state import (
    FEE_RATE,
    ExchangeState,
    FakeMarket,
    FakeOrder,
    FakeTrade,
    RejectError,
    default_balances,
    default_markets,
    now_ms,
    plain,
)

__all__ = [
    "FEE_RATE",
    "Credentials",
    "Dialect",
    "ExchangeState",
    "FakeExchange",
    "FakeMarket",
    "FakeOrder",
    "FakeTrade",
    "Handler",
    "RejectError",
    "Reply",
    "Request",
    "default_balances",
    "default_markets",
    "now_ms",
    "plain",
]


@dataclass
class Request:
    """One HTTP request as the fake saw it; dialect handlers read their parameters from it."""

    method: str
    path: str
    query_string: str
    query: dict[str, str]
    body: str
    headers: dict[str, str]

    def param(self, name: str, form: dict[str, Any] | None = None) -> str | None:
        source = form if form is not None else self.query
        value = source.get(name)
        return None if value is None or value == "" else str(value)


Reply = tuple[int, Any]
Handler = Callable[[ExchangeState, Request], Reply]


class Dialect(Protocol):
    """How one exchange spells requests, responses, errors and signatures."""

    name: str

    def route(self, method: str, path: str) -> tuple[str, Handler, bool] | None: ...

    def authenticate(self, request: Request, credentials: Credentials) -> Reply | None: ...

    def reject(self, error: RejectError) -> Reply: ...

    def throttled(self) -> Reply: ...


@dataclass(frozen=True)
class Credentials:
    api_key: str
    secret: str
    password: str = ""


@dataclass
class Fault:
    operation: str
    times: int
    status: int | None = None
    body: str | None = None
    delay_s: float = 0.0
    after_processing: bool = True
    reject: str | None = None


@dataclass
class Served:
    operation: str
    method: str
    path: str
    status: int
    handler_s: float


class FakeExchange:
    """The HTTP server: routes through a dialect, applies injected faults, records requests."""

    def __init__(
        self,
        dialect: Dialect,
        *,
        api_key: str,
        secret: str,
        password: str = "",
        markets: list[FakeMarket] | None = None,
        balances: dict[str, Decimal] | None = None,
    ) -> None:
        self.dialect = dialect
        self.credentials = Credentials(api_key, secret, password)
        self.state = ExchangeState(
            markets or default_markets(),
            balances or default_balances(),
            fees_in_quote=getattr(dialect, "fees_in_quote", False),
        )
        self.faults: list[Fault] = []
        self.served: list[Served] = []
        self.hidden_lookups = 0
        self.server_errors: list[str] = []
        self.refuse_websockets = False
        self._sockets: set[web.WebSocketResponse] = set()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> FakeExchange:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        for socket in list(self._sockets):  # a server going away closes its websockets (1001)
            await socket.close(code=1001, message=b"going away")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # fault injection ----------------------------------------------------------------------------

    def fail_next(self, operation: str, *, status: int, body: str | None = None, times: int = 1) -> None:
        """Answer the next ``times`` requests of ``operation`` with ``status`` before processing them."""
        self.faults.append(Fault(operation, times, status=status, body=body, after_processing=False))

    def delay_next(self, operation: str, *, seconds: float, after_processing: bool = True, times: int = 1) -> None:
        """Delay the response; with ``after_processing`` the request takes effect first."""
        self.faults.append(Fault(operation, times, delay_s=seconds, after_processing=after_processing))

    def hide_next_lookups(self, times: int) -> None:
        """The next ``times`` order lookups answer "not found" although the order exists."""
        self.hidden_lookups = times

    def reject_next(self, operation: str, message: str, *, times: int = 1) -> None:
        """Refuse the next ``times`` requests of ``operation`` in the dialect's error format."""
        self.faults.append(Fault(operation, times, reject=message, after_processing=False))

    async def drop_websockets(self, *, refuse: bool = False) -> int:
        """Close every open websocket from the server side (code 1012, service restart), as an
        exchange does on maintenance or a load balancer on a deploy; return how many were closed.
        With ``refuse`` new websocket handshakes are answered 503 until ``refuse_websockets`` is
        set back to False."""
        self.refuse_websockets = refuse
        sockets = list(self._sockets)
        for socket in sockets:
            await socket.close(code=1012, message=b"service restart")
        return len(sockets)

    def venue_order_id(self, order: FakeOrder) -> str:
        """The order id as the exchange spells it (kraken: a txid)."""
        order_ref = getattr(self.dialect, "order_ref", None)
        return order_ref(order) if order_ref is not None else str(order.order_id)

    def count(self, operation: str) -> int:
        return sum(1 for served in self.served if served.operation == operation)

    def order_by_client_id(self, client_id: str) -> FakeOrder:
        order = self.state.by_client_id(client_id)
        if order is None:
            raise KeyError(client_id)
        return order

    def fill(self, order: FakeOrder, quantity: Decimal, price: Decimal | None = None) -> FakeTrade:
        return self.state.fill(order, quantity, price)

    def _take_fault(self, operation: str) -> Fault | None:
        for fault in self.faults:
            if fault.operation in (operation, "*") and fault.times > 0:
                fault.times -= 1
                return fault
        return None

    # request handling ---------------------------------------------------------------------------

    async def _handle(self, http: web.Request) -> web.StreamResponse:
        if http.headers.get("Upgrade", "").lower() == "websocket":
            return await self._handle_websocket(http)
        body = await http.text()
        request = Request(
            method=http.method,
            path=http.path,
            query_string=http.query_string,
            query=dict(http.query),
            body=body,
            headers=dict(http.headers),
        )
        routed = self.dialect.route(http.method, http.path)
        if routed is None:
            return web.json_response({"error": f"fake has no route {http.method} {http.path}"}, status=404)
        operation, handler, private = routed
        fault = self._take_fault(operation)
        if fault is not None and not fault.after_processing:
            if fault.delay_s:
                await asyncio.sleep(fault.delay_s)
            if fault.status is not None or fault.reject is not None:
                status, payload = self._fault_reply(fault)
                self.served.append(Served(operation, request.method, request.path, status, 0.0))
                return self._response(status, payload)
        started = time.perf_counter()
        try:
            status, payload = self._process(operation, handler, private, request)
        except Exception as error:  # a bug in the fake: fail the test instead of looking like a 500
            self.server_errors.append(f"{operation} {http.method} {http.path}: {error!r}")
            raise
        self.served.append(Served(operation, request.method, request.path, status, time.perf_counter() - started))
        if fault is not None and fault.after_processing and fault.delay_s:
            await asyncio.sleep(fault.delay_s)  # processed and recorded; only the response is late
        return self._response(status, payload)

    async def _handle_websocket(self, http: web.Request) -> web.StreamResponse:
        serve = getattr(self.dialect, "serve_websocket", None)
        if serve is None:
            return web.json_response({"error": f"fake has no websocket at {http.path}"}, status=404)
        if self.refuse_websockets:
            self.served.append(Served("websocket", http.method, http.path, 503, 0.0))
            return web.Response(status=503, text="Service Unavailable")
        socket = web.WebSocketResponse()
        await socket.prepare(http)
        self.served.append(Served("websocket", http.method, http.path, 101, 0.0))
        self._sockets.add(socket)
        try:
            await serve(socket, self)
        except Exception as error:  # a bug in the fake: fail the test
            self.server_errors.append(f"websocket {http.path}: {error!r}")
            raise
        finally:
            self._sockets.discard(socket)
        return socket

    def _process(self, operation: str, handler: Handler, private: bool, request: Request) -> Reply:
        if private:
            refused = self.dialect.authenticate(request, self.credentials)
            if refused is not None:
                return refused
        if operation == "fetch_order" and self.hidden_lookups > 0:
            self.hidden_lookups -= 1
            hidden_reply = getattr(self.dialect, "hidden_reply", None)
            if hidden_reply is not None:
                return hidden_reply(request)
            return self.dialect.reject(RejectError("order_not_found", "Order does not exist."))
        try:
            return handler(self.state, request)
        except RejectError as error:
            return self.dialect.reject(error)

    def _fault_reply(self, fault: Fault) -> Reply:
        if fault.reject is not None:
            return self.dialect.reject(RejectError("rejected", fault.reject))
        if fault.status == 429:
            return self.dialect.throttled()
        assert fault.status is not None
        return fault.status, fault.body if fault.body is not None else "Internal Server Error"

    @staticmethod
    def _response(status: int, payload: Any) -> web.Response:
        if isinstance(payload, str):
            return web.Response(status=status, text=payload, content_type="text/plain")
        headers = {"Retry-After": "1"} if status == 429 else None
        return web.json_response(payload, status=status, headers=headers)
