"""Ingest through the full webhook path over HTTP: uvicorn (1 or 2 worker processes) on
the bench database, clients POSTing the API channel's inbound webhook (bearer token,
JSON, DRF validation, the pipeline, the response) on keep-alive connections, each
event from a known customer. The clients run on the same machine (they take CPU too).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from typing import Any

from bench import env

CLIENTS = 8


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _token(setup: dict[str, Any]) -> str:
    inbox = setup["inboxes"]["api"]
    inbox.refresh_from_db()
    return str(inbox.token)


def _wait_ready(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("uvicorn exited")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("uvicorn did not answer")


def webhook_rate(setup: dict[str, Any], workers: int, duration: float) -> float:
    """Accepted webhook events per second (201s) with `workers` uvicorn processes."""
    port = _free_port()
    token = _token(setup)
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "omnidesk.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--log-level", "warning",
         "--no-access-log"],
        cwd=env.ROOT, env={**os.environ, "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
                           "PYTHONWARNINGS": "ignore:No directory at"},
    )
    try:
        _wait_ready(port, server)
        return drive(port, token, duration)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def drive(port: int, token: str, duration: float, host: str = "127.0.0.1") -> float:
    """Accepted webhook events per second (201s) from CLIENTS keep-alive clients POSTing
    to `host`:`port` (one uvicorn, or nginx in front of several) for `duration` s."""
    run = uuid.uuid4().hex[:8]
    counts = [0] * CLIENTS
    errors: list[str] = []
    start = threading.Barrier(CLIENTS + 1)
    stop_at = [0.0]

    def client(number: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def post(n: int) -> int:
            sender = f"customer{1 + number * 50 + n % 50}@bench.example"
            body = json.dumps({"sender": {"kind": "email", "value": sender},
                               "text": "Where is my order?",
                               "provider_id": f"wh-{run}-{number}-{n}"})
            conn.request("POST", "/api/v1/inbound/", body, headers)
            response = conn.getresponse()
            response.read()
            return response.status

        for n in range(20):  # warm-up: connections, each sender's open conversation
            post(-1 - n)
        start.wait()
        n = 0
        while time.monotonic() < stop_at[0]:
            code = post(n)
            if code == 201:
                counts[number] += 1
            elif len(errors) < 5:
                errors.append(str(code))
            n += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.monotonic() + 3600  # set properly once all are warm
    start.wait()
    stop_at[0] = time.monotonic() + duration
    for thread in threads:
        thread.join()
    if errors:
        print(f"  · webhook errors (first {len(errors)}): {', '.join(errors)}", flush=True)
    return sum(counts) / duration
