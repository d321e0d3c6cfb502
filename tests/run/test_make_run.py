"""`make run` as a new user meets it: a fresh directory, no DATABASE_URL or REDIS_URL, so
the embedded default (SQLite, in-process broker and channel layer). This file is about that
default, which is why it does not run on the test PostgreSQL database.

migrate, load_demo (twice), serve; sign in over HTTP; the inbox lists the demo's
conversations; an inbound pushed to the web process reaches the agent's websocket and the
routing task it queues runs in the embedded worker; a reply posted through the API is
sent by the embedded worker to the API inbox's outbound_url, and its new status reaches
the socket.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from websockets.asyncio.client import connect

from tests.run.conftest import free_port, manage

pytestmark = pytest.mark.slow  # real servers and processes: scheduled first

DEMO_PASSWORD = "omnidesk-demo"


def database(env: dict[str, str]) -> sqlite3.Connection:
    return sqlite3.connect(Path(env["OMNIDESK_VAR_DIR"]) / "omnidesk.sqlite3")


def sign_in(base: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.get(f"{base}/accounts/login/", timeout=10).raise_for_status()
    answer = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": password,
              "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": f"{base}/accounts/login/"}, timeout=10,
    )
    answer.raise_for_status()
    assert answer.url == f"{base}/", answer.text[:500]
    return session


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """The outside system behind the API inbox: records what omnidesk POSTs to it."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(json.loads(body))
            answer = json.dumps({"id": f"ext-{len(received)}"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/omnidesk-replies", received
    server.shutdown()


def test_fresh_embedded_install_serves_demo_with_worker_and_websocket(
    embedded_env, start_server, receiver
):
    manage(embedded_env, "migrate", "--noinput")
    first = manage(embedded_env, "load_demo")
    assert "Demo data loaded" in first
    assert "50 customers" in first
    assert manage(embedded_env, "load_demo").strip() == "Demo data already loaded; nothing to do."

    server = start_server(embedded_env)
    banner = server.output()
    assert f"omnidesk is starting at http://localhost:{server.port}" in banner
    assert f"demo logins (password: {DEMO_PASSWORD})" in banner
    for username in ("admin", "lead", "agent1", "agent2"):
        assert re.search(rf"^\s+{username}\s", banner, re.M), banner

    session = sign_in(server.url, "admin", DEMO_PASSWORD)
    home = session.get(f"{server.url}/", timeout=10).text
    with database(embedded_env) as db:
        open_count = db.execute(
            "SELECT count(*) FROM conversations_conversation WHERE status = 'open'").fetchone()[0]
        newest_customer = db.execute(
            "SELECT c.name FROM conversations_conversation v JOIN customers_customer c "
            "ON c.id = v.customer_id WHERE v.status = 'open' "
            "ORDER BY v.last_activity_at DESC, v.id DESC LIMIT 1"
        ).fetchone()[0]
        api_token = db.execute(
            "SELECT token FROM conversations_inbox WHERE slug = 'demo-shop-events'").fetchone()[0]
    # The inbox: an admin's opens on every open conversation, newest first, 30 a page.
    assert '<h2 id="list-title" class="truncate">All</h2>' in home
    assert open_count > 0
    assert home.count("data-row-id=") == min(open_count, 30)
    first_row = home.split("data-row-id=")[1].split("</li>")[0]
    assert newest_customer in first_row

    # Every page in the navigation answers; reports say they need PostgreSQL.
    for path in ("/queues/", "/settings/", "/settings/routing/"):
        assert session.get(f"{server.url}{path}", timeout=10).status_code == 200, path
    reports = session.get(f"{server.url}/reports/", timeout=10)
    assert reports.status_code == 200 and "Reports need PostgreSQL" in reports.text
    api_reports = session.get(f"{server.url}/api/v1/reports/summary/", timeout=10)
    assert api_reports.status_code == 501, api_reports.text

    receiver_url, received = receiver
    _set_outbound_url(server.url, session, receiver_url)

    events = asyncio.run(_inbound_and_reply_seen_on_socket(server.url, session, api_token,
                                                           embedded_env))
    created = [e["data"] for e in events if e["event"] == "interaction.created"]
    assert [(i["direction"], i["text"]) for i in created if i["kind"] == "message"] == [
        ("in", "Hello from the smoke test"), ("out", "Thanks, we are on it."),
    ]
    # Other frames may come between (the SLA sweep's events on demo conversations).
    messages = [i for i in created if i["kind"] == "message"]
    conversation_id = messages[0]["conversation_id"]
    reply_id = messages[-1]["id"]
    updated = [e["data"] for e in events if e["event"] == "interaction.updated"]
    assert updated[-1]["id"] == reply_id
    assert updated[-1]["status"] == "sent"
    # send_interaction_task ran in the embedded worker thread and POSTed the reply.
    assert [(r["interaction_id"], r["conversation_id"], r["text"]) for r in received] == [
        (reply_id, conversation_id, "Thanks, we are on it.")
    ]


def _set_outbound_url(base: str, session: requests.Session, url: str) -> None:
    inboxes = session.get(f"{base}/api/v1/inboxes/", timeout=10).json()
    rows = inboxes["results"] if isinstance(inboxes, dict) else inboxes
    shop = next(row for row in rows if row["slug"] == "demo-shop-events")
    answer = session.patch(
        f"{base}/api/v1/inboxes/{shop['id']}/", json={"config": {"outbound_url": url}},
        headers={"X-CSRFToken": session.cookies["csrftoken"]}, timeout=10,
    )
    assert answer.status_code == 200, answer.text


async def _inbound_and_reply_seen_on_socket(
    base: str, session: requests.Session, api_token: str, env: dict[str, str]
) -> list[dict[str, Any]]:
    ws_url = base.replace("http://", "ws://") + "/ws/agent/"
    cookie = f"sessionid={session.cookies['sessionid']}"
    async with connect(ws_url, origin=base, additional_headers={"Cookie": cookie},
                       proxy=None) as socket:
        hello = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert hello["type"] == "hello"
        # The heartbeat and "behind" on SQLite (realtime.pings' batch).
        await socket.send(json.dumps({"type": "ping", "last": hello["last_event_id"]}))
        while (frame := json.loads(await asyncio.wait_for(socket.recv(), 10)))["type"] != "pong":
            assert frame["type"] == "event"
        assert frame == {"type": "pong", "behind": False}
        answer = await asyncio.to_thread(
            requests.post, f"{base}/api/v1/inbound/", timeout=10,
            headers={"Authorization": f"Bearer {api_token}"},
            json={"sender": {"kind": "email", "value": "smoke.test@example.com",
                             "name": "Smoke Test"},
                  "text": "Hello from the smoke test", "provider_id": "smoke-1"},
        )
        assert answer.status_code == 201, answer.text
        conversation_id = answer.json()["conversation"]
        events = await _until(socket, lambda e: e["event"] == "interaction.created")
        # route_inbound_task was queued with delay() by the web process after the commit;
        # the embedded worker thread runs it and starts the API channel's 4-hour clock.
        due = await asyncio.to_thread(_wait_for_due, env, conversation_id)
        assert due is not None
        inbound_at = datetime.fromisoformat(events[-1]["data"]["occurred_at"])
        assert datetime.fromisoformat(due).replace(tzinfo=UTC) == inbound_at + timedelta(hours=4)
        reply = await asyncio.to_thread(
            session.post, f"{base}/api/v1/conversations/{conversation_id}/replies/",
            json={"text": "Thanks, we are on it."}, timeout=10,
            headers={"X-CSRFToken": session.cookies["csrftoken"]},
        )
        assert reply.status_code == 201, reply.text
        assert reply.json()["status"] == "queued"
        events += await _until(socket, lambda e: e["event"] == "interaction.updated"
                               and e["data"]["id"] == reply.json()["id"]
                               and e["data"]["status"] == "sent")
        return events


async def _until(socket: Any, done: Any) -> list[dict[str, Any]]:
    """Event frames up to and including the first one for which `done` is true."""
    events: list[dict[str, Any]] = []
    while not events or not done(events[-1]):
        frame = json.loads(await asyncio.wait_for(socket.recv(), 15))
        if frame["type"] == "event":
            events.append(frame)
    return events


def _wait_for_due(env: dict[str, str], conversation_id: int, timeout: float = 20) -> str | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with database(env) as db:
            row = db.execute(
                "SELECT first_response_due_at FROM conversations_conversation WHERE id = ?",
                (conversation_id,),
            ).fetchone()
        if row and row[0]:
            return str(row[0])
        time.sleep(0.1)
    return None
