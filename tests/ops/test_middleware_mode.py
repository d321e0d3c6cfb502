"""Under ASGI the middleware chain and the view run in one hand-off to a thread
(omnidesk.asgi_http.SyncChainHandler), not in a hand-off per middleware."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import SyncToAsync
from channels.testing import HttpCommunicator
from django.core.handlers.asgi import ASGIHandler

from omnidesk.asgi import django_http
from omnidesk.asgi_http import SyncChainHandler

pytestmark = pytest.mark.django_db(transaction=True)


def _thread_hops(handler: Any, monkeypatch: pytest.MonkeyPatch) -> int:
    """Thread hops (asgiref's SyncToAsync calls) of one GET /healthz through `handler`
    with the settings' middleware."""
    hops = 0
    original = SyncToAsync.__call__

    async def counting(self: SyncToAsync, *args: Any, **kwargs: Any) -> Any:
        nonlocal hops
        hops += 1
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(SyncToAsync, "__call__", counting)

    async def get() -> dict[str, Any]:
        return await HttpCommunicator(handler, "GET", "/healthz").get_response(timeout=10)

    response = asyncio.run(get())
    monkeypatch.undo()
    assert response["status"] == 200
    return hops


def test_a_request_crosses_to_a_thread_a_few_times(monkeypatch):
    assert isinstance(django_http.app, SyncChainHandler)  # what omnidesk.asgi serves

    ours = _thread_hops(SyncChainHandler(), monkeypatch)
    djangos = _thread_hops(ASGIHandler(), monkeypatch)

    # The chain with the view, the request_started and request_finished signals.
    assert ours <= 3
    assert djangos >= ours + 10  # two per async-capable MiddlewareMixin, and the view's


def test_a_page_not_found_still_passes_back_through_the_middleware():
    async def get() -> dict[str, Any]:
        return await HttpCommunicator(SyncChainHandler(), "GET",
                                      "/no-such-page/").get_response(timeout=10)

    response = asyncio.run(get())

    assert response["status"] == 404
    names = {name.lower() for name, _value in response["headers"]}
    assert b"x-frame-options" in names  # XFrameOptionsMiddleware's, on the way out
