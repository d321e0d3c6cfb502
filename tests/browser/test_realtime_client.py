"""The page's realtime client (static/js/realtime.js): events reach subscribers, and after
the server goes away the client shows "Reconnecting…", comes back, and gets what was
published meanwhile through resume, exactly once."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from django.db import transaction

from realtime import dispatch, events
from realtime.audience import Audience
from realtime.publish import publish
from tests.browser.conftest import _free_port, _ThreadServer, screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


class RestartableServer:
    """omnidesk.asgi:application under uvicorn on a fixed port, stopped and started again."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.server: _ThreadServer | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        from omnidesk.asgi import application

        self.server = _ThreadServer(uvicorn.Config(
            application, host="127.0.0.1", port=self.port, lifespan="on", log_level="warning"))
        server = self.server
        self.thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise AssertionError("uvicorn did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(timeout=20)
            self.server = self.thread = None


@pytest.fixture
def server(transactional_db: Any) -> Iterator[RestartableServer]:
    server = RestartableServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """Playwright's wait_for_function evaluates strings, which the CSP forbids: this
    module's pages bypass it (the policy is tested in test_content_security_policy.py)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    yield context.new_page()
    context.close()


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _tell(team_id: int, label: str) -> int:
    with transaction.atomic():
        return publish(events.CONVERSATION_UPDATED, {"label": label}, Audience.team(team_id)).pk


def test_the_client_delivers_events_and_resumes_what_it_missed_once(server, page, agent_a, team_a):
    sign_in(page, server.base, "agent_a")
    page.wait_for_function("omnidesk.realtime.state === 'open'")
    page.evaluate("""() => {
        window.received = [];
        window.states = [];
        omnidesk.realtime.on("*", (e) => window.received.push([e.id, e.event, e.data.label]));
        omnidesk.realtime.onState((state) => window.states.push(state));
    }""")
    status = page.locator("#realtime-status")
    assert (status.get_attribute("aria-live"), status.inner_text()) == ("polite", "")

    live = _tell(team_a.pk, "live")
    page.wait_for_function("window.received.length === 1")

    server.stop()  # closes the socket (1012, server restart)
    page.wait_for_function("omnidesk.realtime.state === 'reconnecting'")
    assert status.inner_text() == "Reconnecting…"
    screenshot(page, "realtime-reconnecting")
    missed = _tell(team_a.pk, "while away")
    server.start()
    page.wait_for_function("window.received.length === 2", timeout=60_000)
    assert page.evaluate("omnidesk.realtime.state") == "open"
    assert status.inner_text() == ""
    after = _tell(team_a.pk, "after")
    page.wait_for_function("window.received.length === 3")

    assert page.evaluate("window.received") == [
        [live, "conversation.updated", "live"],
        [missed, "conversation.updated", "while away"],
        [after, "conversation.updated", "after"],
    ]
    assert page.evaluate("window.states")[-1] == "open"
    assert page.evaluate("omnidesk.realtime.lastEventId") == after


def test_the_heartbeat_catches_up_on_an_event_the_layer_did_not_deliver(
    server, page, agent_a, team_a, monkeypatch
):
    sign_in(page, server.base, "agent_a")
    page.evaluate("""() => {
        window.received = [];
        window.client = omnidesk.createRealtime({heartbeatMs: 300});
        client.on("conversation.updated", (e) => window.received.push([e.id, e.data.label]));
        client.start();
    }""")
    page.wait_for_function("client.state === 'open'")
    # Live sends paused, as after a failed send to Redis: the event is only in the outbox.
    monkeypatch.setattr(dispatch.breaker, "paused_until", time.monotonic() + 600)
    skipped = _tell(team_a.pk, "not sent live")
    page.wait_for_function("window.received.length === 1")
    page.wait_for_timeout(1000)  # a few more heartbeats: nothing is delivered twice
    assert page.evaluate("window.received") == [[skipped, "not sent live"]]
    assert page.evaluate("client.state") == "open"


def test_a_signed_in_user_who_is_not_an_agent_gets_no_client(server, page, outsider):
    sign_in(page, server.base, "outsider")
    assert page.locator("#realtime-status").count() == 0
    assert page.locator("script[src$='realtime.js']").count() == 0
