"""Local fakes of remote APIs that the real client libraries talk to (see tests/fakes/<name>.py).

`ThreadedHTTPFake` is the small stdlib base of the sentiment-source fakes (X, Reddit, RSS):
a `ThreadingHTTPServer` on 127.0.0.1 and a free port, optionally TLS, in a daemon thread, with a
log of the requests it received and a queue of canned failures to serve next.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True, slots=True)
class Received:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class Canned:
    """A response served instead of the normal one (429, 500, malformed body, ...)."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class ThreadedHTTPFake:
    """Base of a fake API: subclasses implement `handle(received) -> (status, headers, body)`."""

    def __init__(self, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self.received: list[Received] = []
        self._canned: deque[Canned] = deque()
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                split = urlsplit(self.path)
                received = Received(
                    self.command, split.path, dict(parse_qsl(split.query)),
                    {key.lower(): value for key, value in self.headers.items()}, self.rfile.read(length),
                )  # fmt: skip
                status, headers, body = fake._dispatch(received)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_HEAD = _serve

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if ssl_context is not None:
            self._server.socket = ssl_context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> ThreadedHTTPFake:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail_next(
        self, status: int, *, times: int = 1, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> None:
        """Serve `status` with `body` for the next `times` requests."""
        with self._lock:
            self._canned.extend(Canned(status, body, headers or {}) for _ in range(times))

    def _dispatch(self, received: Received) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.received.append(received)
            canned = self._canned.popleft() if self._canned else None
        if canned is not None:
            return canned.status, canned.headers, canned.body
        return self.handle(received)

    def handle(self, received: Received) -> tuple[int, dict[str, str], bytes]:
        raise NotImplementedError


def json_body(payload: Any) -> bytes:
    return json.dumps(payload).encode()
