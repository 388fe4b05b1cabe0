"""A real HTTP receiver on 127.0.0.1 (aiohttp in a thread) whose behaviour is chosen per path:

- ``/ok/...``                 200
- ``/fail/N/...``             500 for the first N requests of that path, then 200
- ``/hang/SECONDS/...``       sleeps SECONDS before answering 200 (past the sender's timeout)
- ``/gone/...``               410
- ``/limited/N/SECONDS/...``  429 with ``Retry-After: SECONDS`` for the first N requests, then 200
- ``/redirect/...``           302 to ``/ok/redirected``

Every request is recorded (path, headers, body, arrival time) before it is answered.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass

from aiohttp import web


@dataclass(frozen=True, slots=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


class Receiver:
    def __init__(self) -> None:
        # Bound now and handed to aiohttp: a port picked free and bound later can be taken in between.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: list[Received] = []
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._runner: web.AppRunner | None = None

    def received(self, prefix: str = "") -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.path.startswith(prefix)]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        path = request.path
        with self._lock:
            self.requests.append(Received(path, dict(request.headers), body, time.time()))
            count = self._counts[path] = self._counts.get(path, 0) + 1
        parts = path.strip("/").split("/")
        kind = parts[0]
        if kind == "fail" and count <= int(parts[1]):
            return web.Response(status=500, text="failing on purpose")
        if kind == "hang":
            await asyncio.sleep(float(parts[1]))
        if kind == "gone":
            return web.Response(status=410, text="gone")
        if kind == "limited" and count <= int(parts[1]):
            return web.Response(status=429, headers={"Retry-After": parts[2]}, text="slow down")
        if kind == "redirect":
            raise web.HTTPFound(f"{self.url}/ok/redirected")
        return web.Response(status=200, text="ok")

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_route("POST", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)  # do not wait out /hang/
        self._loop.run_until_complete(self._runner.setup())
        site = web.SockSite(self._runner, self._socket, backlog=1024)
        self._loop.run_until_complete(site.start())
        self._ready.set()
        self._loop.run_forever()

    def __enter__(self) -> Receiver:
        self._thread.start()
        if not self._ready.wait(60):
            raise RuntimeError("receiver did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._runner is not None
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)
        self._socket.close()
