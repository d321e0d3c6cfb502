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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

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


@contextmanager
def serving(workers: int, **extra_env: str) -> Iterator[int]:
    """uvicorn with `workers` processes on the bench database; yields its port (which
    is also its PUBLIC_URL's, for the signatures Twilio would make)."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "omnidesk.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--log-level", "warning",
         "--no-access-log"],
        cwd=env.ROOT, env={**os.environ, "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
                           "PYTHONWARNINGS": "ignore:No directory at",
                           "PUBLIC_URL": f"http://127.0.0.1:{port}", **extra_env},
    )
    try:
        _wait_ready(port, server)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def webhook_rate(setup: dict[str, Any], workers: int, duration: float) -> float:
    """Accepted webhook events per second (201s) with `workers` uvicorn processes."""
    token = _token(setup)
    with serving(workers) as port:
        return drive(port, token, duration)


@dataclass(frozen=True)
class TwilioRate:
    workers: int
    spooled: bool
    drains: int  # drain processes (0: the web processes drain in a thread)
    accepted_per_second: float  # answered 200 while the clients posted
    recorded_per_second: float  # recorded, from the first POST until the last was


def twilio_rate(setup: dict[str, Any], workers: int, duration: float, *, spooled: bool,
                drains: int = 0) -> TwilioRate:
    """Signed Twilio SMS webhooks from known senders (bench.spool's) to uvicorn, with
    the spool on (each answered after one INSERT; the processes' drain threads, or
    `drains` drain processes, record them in batches meanwhile) or off (each recorded
    before its answer)."""
    from bench import spool
    from conversations.models import Interaction

    spool.ensure_twilio_inbox(setup)
    # This run's rows only, by key: ids come from one sequence, so every row it records
    # is past the newest one now. (Counting every SMS interaction, as this did, took
    # 160-230 ms of PostgreSQL in parallel workers, every 50 ms while it waited: the
    # measurement competed with the drain it measured.)
    newest = Interaction.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    mine = Interaction.objects.filter(pk__gt=newest, channel="sms")
    mode = {"OMNIDESK_SPOOL": "1" if spooled else "0",
            "OMNIDESK_SPOOL_DRAIN": "process" if drains else "thread"}
    with serving(workers, **mode) as port, draining(drains, mode):
        url = f"http://127.0.0.1:{port}"
        began = time.monotonic()
        accepted = drive_twilio(port, url, duration)
        total = accepted + CLIENTS * TWILIO_WARM_UP
        deadline = time.monotonic() + 300
        while mine.count() < total and time.monotonic() < deadline:
            time.sleep(0.05)
        recorded_in = time.monotonic() - began
        recorded = mine.count()
    return TwilioRate(workers, spooled, drains, accepted / duration, recorded / recorded_in)


@contextmanager
def draining(processes: int, mode: dict[str, str]) -> Iterator[None]:
    """`processes` of `manage.py drain_spool` on the bench database."""
    drains = [subprocess.Popen([sys.executable, "manage.py", "drain_spool"], cwd=env.ROOT,
                               env={**os.environ, **mode}, stdout=subprocess.DEVNULL)
              for _ in range(processes)]
    try:
        yield
    finally:
        for drain in drains:
            drain.terminate()
        for drain in drains:
            try:
                drain.wait(timeout=20)
            except subprocess.TimeoutExpired:
                drain.kill()


TWILIO_WARM_UP = 10


def drive_twilio(port: int, public_url: str, duration: float) -> int:
    """POSTs answered 200 in `duration` s (after a warm-up) from CLIENTS keep-alive
    clients, each message signed as Twilio signs it for `public_url`."""
    from twilio.request_validator import RequestValidator

    from bench import spool

    validator = RequestValidator(spool.AUTH_TOKEN)
    signed_url = f"{public_url}/webhooks/twilio/messaging/"
    run = uuid.uuid4().hex[:8]

    def post(conn: http.client.HTTPConnection, number: int, n: int) -> int:
        params = spool.message_params(run, number, n)
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": validator.compute_signature(signed_url, params)}
        conn.request("POST", "/webhooks/twilio/messaging/", urlencode(params), headers)
        response = conn.getresponse()
        response.read()
        return response.status

    return closed_loop("127.0.0.1", port, post, ok=200, warm_up=TWILIO_WARM_UP,
                       duration=duration, label="twilio webhook")


def drive(port: int, token: str, duration: float, host: str = "127.0.0.1") -> float:
    """Accepted webhook events per second (201s) from CLIENTS keep-alive clients POSTing
    to `host`:`port` (one uvicorn, or nginx in front of several) for `duration` s."""
    run = uuid.uuid4().hex[:8]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(conn: http.client.HTTPConnection, number: int, n: int) -> int:
        sender = f"customer{1 + number * 50 + n % 50}@bench.example"
        body = json.dumps({"sender": {"kind": "email", "value": sender},
                           "text": "Where is my order?",
                           "provider_id": f"wh-{run}-{number}-{n}"})
        conn.request("POST", "/api/v1/inbound/", body, headers)
        response = conn.getresponse()
        response.read()
        return response.status

    # 20 warm-up POSTs each: the connections, each sender's open conversation.
    accepted = closed_loop(host, port, post, ok=201, warm_up=20, duration=duration,
                           label="webhook")
    return accepted / duration


def closed_loop(host: str, port: int,
                post: Callable[[http.client.HTTPConnection, int, int], int], *,
                ok: int, warm_up: int, duration: float, label: str) -> int:
    """Answers `ok` in `duration` s from CLIENTS keep-alive clients, each calling
    `post(connection, client number, n)` as fast as it is answered, after `warm_up`
    POSTs each (n negative); the first few other answers are printed."""
    counts = [0] * CLIENTS
    errors: list[str] = []
    start = threading.Barrier(CLIENTS + 1)
    stop_at = [time.monotonic() + 3600]  # set properly once all are warm

    def client(number: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        for n in range(warm_up):
            post(conn, number, -1 - n)
        start.wait()
        n = 0
        while time.monotonic() < stop_at[0]:
            code = post(conn, number, n)
            if code == ok:
                counts[number] += 1
            elif len(errors) < 5:
                errors.append(str(code))
            n += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    start.wait()
    stop_at[0] = time.monotonic() + duration
    for thread in threads:
        thread.join()
    if errors:
        print(f"  · {label} errors (first {len(errors)}): {', '.join(errors)}", flush=True)
    return sum(counts)
