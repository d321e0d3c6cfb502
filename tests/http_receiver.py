"""A local HTTP server standing in for the system behind an API inbox's outbound_url."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Receiver:
    """What the local outbound_url server received, and what it answers next."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    answers: deque[tuple[int, Any]] = field(default_factory=deque)

    # Set by hold(): the next request signals `arrived` and waits for `release`.
    held: tuple[threading.Event, threading.Event] | None = None

    def answer(self, *answers: tuple[int, Any]) -> None:
        self.answers.extend(answers)

    def hold(self, arrived: threading.Event, release: threading.Event) -> None:
        """Take the next request, then keep the sender waiting until `release` is set."""
        self.held = (arrived, release)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """An HTTP server on 127.0.0.1 (free port) that records POSTs and answers each with
    the next queued (status, JSON body), else 200 {"id": "rcv-<n>"} (n counts requests)."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.requests.append({
                "path": self.path,
                "body": body,
                "signature": self.headers.get("X-Omnidesk-Signature"),
                "delivery": self.headers.get("X-Omnidesk-Delivery"),
                "content_type": self.headers.get("Content-Type"),
            })
            if state.held is not None:
                arrived, release = state.held
                state.held = None
                arrived.set()
                release.wait(60)
            default = (200, {"id": f"rcv-{len(state.requests)}"})
            code, answer = state.answers.popleft() if state.answers else default
            data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/hooks/omnidesk"
    yield state
    server.shutdown()
    server.server_close()
