"""A real HTTP receiver for webhook tests: a threaded stdlib HTTP/1.1 server on loopback that
records every request and answers from a script (status, headers, body, delay), then 200.

It runs in its own threads, so both async tests (the worker in the test's loop) and tests that
drive a `modelreg serve` subprocess can use it; it can be stopped and started again on the same
port to play a receiver that is down.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.server import free_port


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes
    status: int  # what the receiver answered

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def message_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    delay: float = 0.0  # seconds before answering (a slow or hanging receiver)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    receiver: WebhookReceiver


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        receiver = self.server.receiver
        reply = receiver._next_reply()
        if reply.delay:
            time.sleep(reply.delay)
        receiver._record(
            Received(
                path=self.path,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                status=reply.status,
            )
        )
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class WebhookReceiver:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.requests: list[Received] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Condition()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.receiver = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with these replies, then 200 again."""
        with self._lock:
            self._script.extend(replies)

    def _next_reply(self) -> Reply:
        with self._lock:
            return self._script.popleft() if self._script else Reply()

    def _record(self, received: Received) -> None:
        with self._lock:
            self.requests.append(received)
            self._lock.notify_all()

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        """At least `count` requests (blocking; call it from a thread in async tests)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"the receiver got {len(self.requests)} requests, expected {count}"
                    )
                self._lock.wait(left)
            return list(self.requests)

    def delivered_ids(self) -> list[str]:
        """Message ids the receiver answered with 2xx, in arrival order."""
        with self._lock:
            return [r.message_id for r in self.requests if 200 <= r.status <= 299]


@contextmanager
def webhook_receiver(port: int | None = None) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(port)
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()
