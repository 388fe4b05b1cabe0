"""Shared machinery of the platform fakes: a background aiohttp server, a request journal, failure plans.

Every fake (Telegram, Slack, Discord) is an aiohttp application served by :class:`BackgroundServer`
on ``127.0.0.1`` on a free port, in a daemon thread with its own event loop. The client under test
runs in the test's own loop (or in any thread), so a fake never depends on how a test is written.

Everything a client sends is appended to a :class:`RequestJournal` as a :class:`RecordedRequest`
(HTTP calls and websocket frames alike). Tests read it with ``requests(name)`` or wait for an entry
with ``await journal.wait_for(name)`` (async tests) or ``journal.wait_for_sync(name)`` (sync tests).

A :class:`FailurePlan` makes the next N calls of a method fail; each fake renders the failure in its
platform's own error format (status code, body and headers).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import email.parser
import email.policy
import json
import socket
import threading
import time
import traceback
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Self, TypeVar

from aiohttp import web

T = TypeVar("T")

RequestPredicate = Callable[["RecordedRequest"], bool]


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """One file part of a multipart request."""

    field: str
    filename: str | None
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One call a client made: an HTTP request, or a frame it sent over a websocket.

    ``name`` is the platform's name for the call: the Bot API method (``sendMessage``), the Slack Web
    API method (``chat.postMessage``), the Discord route template (``POST /channels/{channel_id}/messages``)
    or a websocket frame kind (``socket_mode.ack``, ``gateway.IDENTIFY``).
    """

    name: str
    http_method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any]
    files: dict[str, UploadedFile]
    raw: bytes
    status: int
    response: Any
    at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True, slots=True)
class InjectedFailure:
    """What the fake answers instead of the real result."""

    status: int
    retry_after: float | None = None
    error: str | None = None


class FailurePlan:
    """Per-method queues of failures to serve before normal answers resume. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._planned: dict[str, list[InjectedFailure]] = {}

    def add(self, name: str, failure: InjectedFailure, *, times: int) -> None:
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._planned.setdefault(name, []).extend([failure] * times)

    def take(self, name: str) -> InjectedFailure | None:
        with self._lock:
            queue = self._planned.get(name)
            if not queue:
                return None
            return queue.pop(0)

    def pending(self, name: str) -> int:
        with self._lock:
            return len(self._planned.get(name, []))


class RequestJournal:
    """Thread-safe log of recorded requests with async and sync waiting."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._entries: list[RecordedRequest] = []
        self._waiters: list[tuple[RequestPredicate, asyncio.AbstractEventLoop, asyncio.Future[Any]]] = []

    def record(self, entry: RecordedRequest) -> None:
        with self._condition:
            self._entries.append(entry)
            self._condition.notify_all()
            still_waiting = []
            for predicate, loop, future in self._waiters:
                if predicate(entry):
                    loop.call_soon_threadsafe(_resolve, future, entry)
                else:
                    still_waiting.append((predicate, loop, future))
            self._waiters = still_waiting

    def requests(self, name: str | None = None) -> list[RecordedRequest]:
        """Everything recorded so far, oldest first, optionally only calls named ``name``."""
        with self._condition:
            return [entry for entry in self._entries if name is None or entry.name == name]

    def names(self) -> list[str]:
        with self._condition:
            return [entry.name for entry in self._entries]

    def clear(self) -> None:
        with self._condition:
            self._entries.clear()

    async def wait_for(
        self, name: str, *, predicate: RequestPredicate | None = None, timeout: float = 30.0
    ) -> RecordedRequest:
        """Return the first entry named ``name`` (matching ``predicate``), waiting up to ``timeout`` s.

        Entries already recorded count, so call this after the action that triggers the request.
        """
        matches = _matcher(name, predicate)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[RecordedRequest] = loop.create_future()
        with self._condition:
            for entry in self._entries:
                if matches(entry):
                    return entry
            self._waiters.append((matches, loop, future))
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise AssertionError(f"no {name!r} request within {timeout}s; saw {self.names()}") from None
        finally:
            with self._condition:
                self._waiters = [waiter for waiter in self._waiters if waiter[2] is not future]

    def wait_for_sync(
        self, name: str, *, predicate: RequestPredicate | None = None, timeout: float = 30.0
    ) -> RecordedRequest:
        """Blocking variant of :meth:`wait_for` for synchronous tests."""
        matches = _matcher(name, predicate)
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                for entry in self._entries:
                    if matches(entry):
                        return entry
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no {name!r} request within {timeout}s; saw {self.names()}")
                self._condition.wait(remaining)


def _matcher(name: str, predicate: RequestPredicate | None) -> RequestPredicate:
    return lambda entry: entry.name == name and (predicate is None or predicate(entry))


def _resolve(future: asyncio.Future[Any], entry: RecordedRequest) -> None:
    if not future.done():
        future.set_result(entry)


@dataclass(frozen=True, slots=True)
class ParsedBody:
    fields: dict[str, Any]
    files: dict[str, UploadedFile]
    raw: bytes


async def parse_body(request: web.Request) -> ParsedBody:
    """Decode a JSON, urlencoded or multipart body; text fields stay strings, files become UploadedFile."""
    raw = await request.read()
    content_type = request.content_type
    if content_type == "application/json" and raw:
        decoded = json.loads(raw)
        return ParsedBody(decoded if isinstance(decoded, dict) else {"_json": decoded}, {}, raw)
    if content_type == "application/x-www-form-urlencoded":
        form = await request.post()
        return ParsedBody({key: str(value) for key, value in form.items()}, {}, raw)
    if content_type.startswith("multipart/"):
        return await _parse_multipart(request, raw)
    return ParsedBody({}, {}, raw)


async def _parse_multipart(request: web.Request, raw: bytes) -> ParsedBody:
    # The body was already read whole (it is recorded), so parse it from bytes, not from the stream.
    envelope = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode() + raw
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(envelope)
    fields: dict[str, Any] = {}
    files: dict[str, UploadedFile] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is None and part.get_content_type() in ("text/plain", "application/json"):
            fields[name] = data.decode(part.get_content_charset() or "utf-8")
        else:
            files[name] = UploadedFile(name, filename, part.get_content_type(), data)
    return ParsedBody(fields, files, raw)


class BackgroundServer:
    """Serve an aiohttp application on 127.0.0.1:<free port> from a daemon thread with its own loop."""

    def __init__(self, app: web.Application, *, on_shutdown: Callable[[], Awaitable[None]] | None = None):
        self._app = app
        self._app.middlewares.append(self._capture_errors)
        self._on_shutdown = on_shutdown
        self.errors: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="platform-fake", daemon=True)
        self._runner: web.AppRunner | None = None
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.ws_base_url = f"ws://127.0.0.1:{self.port}"

    @web.middleware
    async def _capture_errors(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        # A crash inside a fake is a bug in the fake (or a request it does not model): keep it for the
        # fixture, which fails the test at teardown instead of letting the client see a vague 500.
        try:
            return await handler(request)
        except web.HTTPException:
            raise
        except Exception:
            self.errors.append(f"{request.method} {request.path}\n{traceback.format_exc()}")
            raise

    def start(self) -> None:
        self._thread.start()
        self.run(self._serve())

    async def _serve(self) -> None:
        self._runner = web.AppRunner(self._app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.SockSite(self._runner, self._socket).start()

    def stop(self) -> None:
        if not self._thread.is_alive():
            self._socket.close()
            return
        try:
            self.run(self._shutdown(), timeout=30.0)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30.0)
            self._loop.close()
            self._socket.close()

    async def _shutdown(self) -> None:
        if self._on_shutdown is not None:
            await self._on_shutdown()
        if self._runner is not None:
            await self._runner.cleanup()

    def run(self, coroutine: Coroutine[Any, Any, T], *, timeout: float = 30.0) -> T:
        """Run ``coroutine`` on the server loop and return its result (blocks the caller briefly)."""
        future: concurrent.futures.Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(timeout)


class FakeService:
    """What every platform fake shares: start/stop, the server's own errors and the request journal.

    Subclasses set ``self._server`` (a ``BackgroundServer``) and ``self.journal`` (a ``RequestJournal``).
    """

    _server: BackgroundServer
    journal: RequestJournal

    def start(self) -> Self:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    @property
    def server_errors(self) -> list[str]:
        """Tracebacks of requests the fake itself failed on (the fixture fails the test if any)."""
        return self._server.errors

    def requests(self, name: str | None = None) -> list[RecordedRequest]:
        """What clients sent, in order; only the calls named ``name`` when given."""
        return self.journal.requests(name)

    async def wait_for(self, name: str, *, timeout: float = 30.0, **kwargs: Any) -> RecordedRequest:
        """The next (or an already recorded) call named ``name`` matching ``predicate=`` if given."""
        return await self.journal.wait_for(name, timeout=timeout, **kwargs)


def json_response(payload: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON response whose content-type is exactly ``application/json`` (no charset parameter)."""
    response = web.Response(body=json.dumps(payload).encode(), status=status, headers=headers or {})
    response.headers["Content-Type"] = "application/json"
    return response


def header_dict(request: web.Request) -> dict[str, str]:
    return {key.lower(): value for key, value in request.headers.items()}
