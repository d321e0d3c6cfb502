"""Under ASGI the middleware chain runs in sync mode (omnidesk.middleware.sync_chain):
a request crosses to the sync thread a few times, not twice per middleware."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import SyncToAsync
from channels.testing import HttpCommunicator
from django.core.handlers.asgi import ASGIHandler

pytestmark = pytest.mark.django_db(transaction=True)


def _thread_hops(monkeypatch: pytest.MonkeyPatch) -> int:
    """Thread hops (asgiref's SyncToAsync calls) of one GET /healthz through Django's
    ASGI handler with the settings' middleware."""
    hops = 0
    original = SyncToAsync.__call__

    async def counting(self: SyncToAsync, *args: Any, **kwargs: Any) -> Any:
        nonlocal hops
        hops += 1
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(SyncToAsync, "__call__", counting)
    handler = ASGIHandler()

    async def get() -> dict[str, Any]:
        return await HttpCommunicator(handler, "GET", "/healthz").get_response(timeout=10)

    response = asyncio.run(get())
    monkeypatch.undo()
    assert response["status"] == 200
    return hops


def test_a_request_crosses_to_the_sync_thread_a_few_times(monkeypatch, settings):
    with_sync_chain = _thread_hops(monkeypatch)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("sync_chain")]
    without = _thread_hops(monkeypatch)

    assert with_sync_chain <= 5
    assert without >= with_sync_chain + 10  # two per async MiddlewareMixin
