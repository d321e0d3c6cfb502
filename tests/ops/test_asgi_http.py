"""Under ASGI each HTTP request runs its sync code on a kept thread
(omnidesk.asgi_http.ThreadPerRequest), not on one started for it and joined by another."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import HttpCommunicator
from django.core.handlers.asgi import ASGIHandler

from omnidesk.asgi import django_http
from omnidesk.asgi_http import ThreadPerRequest


def _threads_started_by_second_request(app: Any, monkeypatch: pytest.MonkeyPatch) -> int:
    started = 0
    original = threading.Thread.start

    def counting(self: threading.Thread) -> None:
        nonlocal started
        started += 1
        original(self)

    async def two_requests() -> None:
        nonlocal started
        first = await HttpCommunicator(app, "GET", "/healthz").get_response(timeout=10)
        assert first["status"] == 200
        started = 0
        second = await HttpCommunicator(app, "GET", "/healthz").get_response(timeout=10)
        assert second["status"] == 200

    monkeypatch.setattr(threading.Thread, "start", counting)
    asyncio.run(two_requests())
    monkeypatch.undo()
    return started


@pytest.mark.django_db(transaction=True)
def test_a_request_starts_no_thread_where_djangos_handler_starts_two(monkeypatch):
    assert isinstance(django_http, ThreadPerRequest)  # the served application's HTTP

    assert _threads_started_by_second_request(ThreadPerRequest(ASGIHandler()),
                                              monkeypatch) == 0
    assert _threads_started_by_second_request(ASGIHandler(), monkeypatch) >= 2


async def _app_recording_threads(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Three sync calls, with a pause between them (where another request may run)."""
    for _ in range(3):
        scope["threads"].append(await sync_to_async(threading.get_ident)())
        await asyncio.sleep(0.01)


def test_a_request_keeps_one_thread_and_concurrent_requests_have_their_own():
    app = ThreadPerRequest(_app_recording_threads, max_idle=2)

    async def requests(count: int) -> list[list[int]]:
        scopes: list[dict[str, Any]] = [{"type": "http", "threads": []} for _ in range(count)]
        await asyncio.gather(*(app(scope, None, None) for scope in scopes))
        return [scope["threads"] for scope in scopes]

    async def scenario() -> tuple[list[list[int]], list[list[int]]]:
        return await requests(4), await requests(2)

    concurrent, later = asyncio.run(scenario())

    assert all(len(set(threads)) == 1 for threads in concurrent + later)
    assert len({threads[0] for threads in concurrent}) == 4
    assert app.idle == 2  # two of the four threads kept, two ended
    # The later requests ran on the kept threads.
    assert {threads[0] for threads in later} <= {threads[0] for threads in concurrent}
