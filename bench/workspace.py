"""The agent workspace's figures: server time of the inbox page and of a conversation
page with 200 interactions (in-process, Django's test client, as bench/latency.py), and
the time from a socket frame reaching the page to its row being in the list (Chromium
driven by Playwright against uvicorn on the bench database; measured inside the page).
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import threading
import time
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from bench.latency import WARM_UP, Latency, _client, _percentiles
from conversations.models import Conversation, Interaction

TIMELINE_LENGTH = 200
MARK = "bench-workspace-200"
PASSWORD = "bench-workspace-password"  # noqa: S105 - the bench database's own admin


def long_conversation(setup: dict[str, Any]) -> Conversation:
    """A team conversation with 200 interactions (made once, found again by its mark)."""
    found = Conversation.objects.filter(tags__contains=[MARK]).first()
    if found is not None:
        return found
    base = Conversation.objects.filter(team=setup["teams"][0]).order_by("id").first()
    assert base is not None, "the bench data set has no conversation of the first team"
    start = timezone.now() - timedelta(days=2)
    have = Interaction.objects.filter(conversation=base).count()
    with transaction.atomic():
        Interaction.objects.bulk_create([
            Interaction(conversation=base, customer_id=base.customer_id, channel="email",
                        direction="in" if n % 2 else "out", kind="message",
                        text=f"Message {n} of a long conversation about an order.",
                        status="received" if n % 2 else "delivered",
                        occurred_at=start + timedelta(minutes=n))
            for n in range(max(0, TIMELINE_LENGTH - have))
        ])
        Conversation.objects.filter(pk=base.pk).update(tags=[*base.tags, MARK])
    return Conversation.objects.get(pk=base.pk)


def _measure(client: Any, path: str, requests: int) -> tuple[list[float], str]:
    timings = []
    for n in range(WARM_UP + requests):
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            return [], f"HTTP {response.status_code} for {path}"
        if n >= WARM_UP:
            timings.append(elapsed * 1000)
    return timings, ""


def pages(setup: dict[str, Any], requests: int) -> list[Latency]:
    conversation = long_conversation(setup)
    results = []
    for role, user in (("admin", setup["admin"]), (f"agent ({setup['teams'][0].name})",
                                                    setup["agent"])):
        client = _client(user)
        for label, path in (("GET / (inbox, 30 rows)", "/"),
                            ("GET /?sort=sla_due", "/?sort=sla_due"),
                            (f"GET /conversations/{{id}}/ ({TIMELINE_LENGTH} interactions)",
                             f"/conversations/{conversation.pk}/")):
            timings, note = _measure(client, path, requests)
            if timings:
                p50, p99 = _percentiles(timings)
                results.append(Latency(label, role, len(timings), p50, p99, note))
            else:
                results.append(Latency(label, role, 0, float("nan"), float("nan"), note))
    return results


# --- socket frame -> row visible ---------------------------------------------------------

WATCH = """() => {
  window.__frames = {}; window.__rows = {};
  window.omnidesk.realtime.on("conversation.created", (e) => {
    window.__frames[e.data.id] = performance.now();
  });
  new MutationObserver((changes) => {
    const now = performance.now();
    for (const change of changes) for (const node of change.addedNodes) {
      if (node.dataset && node.dataset.rowId && !(node.dataset.rowId in window.__rows))
        window.__rows[node.dataset.rowId] = now;
    }
  }).observe(document.getElementById("conv-list"), {childList: true});
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def frame_to_row(setup: dict[str, Any], samples: int) -> Latency:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return Latency("socket frame -> row in the list", "admin", 0, float("nan"),
                       float("nan"), "Playwright is a test extra: make install")
    import os

    import uvicorn

    from conversations.actions.ingest import do_record_inbound
    from conversations.inbound import InboundEvent
    from omnidesk.asgi import application

    admin: User = setup["admin"]
    admin.set_password(PASSWORD)
    admin.save()
    port = _free_port()

    class Server(uvicorn.Server):
        def install_signal_handlers(self) -> None:
            pass

    server = Server(uvicorn.Config(application, host="127.0.0.1", port=port, lifespan="on",
                                   log_level="warning"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop in this thread
    base = f"http://localhost:{port}"
    inbox = setup["inboxes"]["twilio"]
    delays: list[float] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_context(bypass_csp=True).new_page()
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", admin.username)
            page.fill("#id_password", PASSWORD)
            with page.expect_navigation():
                page.click("button[type=submit]")
            page.goto(f"{base}/?view=all")
            page.wait_for_function("() => window.omnidesk.realtime.state === 'open'")
            page.evaluate(WATCH)
            stamp = int(time.time())
            for n in range(samples):
                result = do_record_inbound(InboundEvent(
                    inbox=inbox, channel="sms", sender_kind="phone",
                    sender_value=f"+1415{(stamp + n) % 10**7:07d}", text=f"Bench message {n}",
                    provider_id=f"SM-bench-ws-{stamp}-{n}"))
                cid = str(result.conversation.pk)
                page.wait_for_function(f"() => '{cid}' in window.__rows", timeout=10_000)
                frame, row = page.evaluate(
                    f"() => [window.__frames['{cid}'], window.__rows['{cid}']]")
                if frame is not None and row is not None:
                    delays.append(row - frame)
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=20)
    if not delays:
        return Latency("socket frame -> row in the list", "admin", 0, float("nan"),
                       float("nan"), "no sample")
    delays.sort()
    p99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))]
    return Latency("socket frame -> row in the list", "admin", len(delays),
                   statistics.median(delays), p99,
                   "in the page: the frame's arrival to the row's insertion (GET of the row)")
