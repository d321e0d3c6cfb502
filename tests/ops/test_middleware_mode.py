"""Under ASGI a request's sync work (its signals, the middleware chain and the view) runs
in one hand-off to a thread (omnidesk.asgi_http.SyncChainHandler), not in a hand-off per
middleware and per signal."""

from __future__ import annotations

import asyncio
import io
import threading
import warnings
from typing import Any

import pytest
from asgiref.sync import SyncToAsync
from channels.testing import HttpCommunicator
from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_finished
from django.http import FileResponse, HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import path

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

    # request_started, the chain with the view and request_finished: one hand-off.
    assert ours == 1
    assert djangos >= ours + 10  # two per async-capable MiddlewareMixin, and the view's


def test_a_page_not_found_still_passes_back_through_the_middleware():
    async def get() -> dict[str, Any]:
        return await HttpCommunicator(SyncChainHandler(), "GET",
                                      "/no-such-page/").get_response(timeout=10)

    response = asyncio.run(get())

    assert response["status"] == 404
    names = {name.lower() for name, _value in response["headers"]}
    assert b"x-frame-options" in names  # XFrameOptionsMiddleware's, on the way out


class _File(io.BytesIO):
    closed_on: int | None = None

    def close(self) -> None:
        self.closed_on = threading.get_ident()
        super().close()


_served: dict[str, Any] = {}


def _page(request: HttpRequest) -> HttpResponse:
    _served["view_thread"] = threading.get_ident()
    return HttpResponse(b"a page")


def _download(request: HttpRequest) -> FileResponse:
    _served["view_thread"] = threading.get_ident()
    _served["file"] = _File(b"x" * 200_000)
    return FileResponse(_served["file"], filename="big.bin")


urlpatterns = [path("page/", _page), path("download/", _download)]


def _get_recording_finished(url: str) -> tuple[dict[str, Any], list[int]]:
    finished: list[int] = []

    def record(**kwargs: Any) -> None:
        finished.append(threading.get_ident())

    _served.clear()
    request_finished.connect(record)
    try:
        with override_settings(ROOT_URLCONF=__name__):
            response = asyncio.run(_get(url))
    finally:
        request_finished.disconnect(record)
    return response, finished


async def _get(url: str) -> dict[str, Any]:
    """One GET through SyncChainHandler, its answer's messages gathered (channels'
    HttpCommunicator cannot read a streamed answer's last, bodiless message)."""
    sent: list[dict[str, Any]] = []
    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": url, "query_string": b"",
             "headers": [(b"host", b"testserver")], "server": ("testserver", 80),
             "client": ("127.0.0.1", 1000), "scheme": "http", "root_path": ""}
    await asyncio.wait_for(SyncChainHandler()(scope, receive, send), timeout=10)
    start, *bodies = sent
    assert not bodies[-1].get("more_body", False)
    return {"status": start["status"], "body": b"".join(m.get("body", b"") for m in bodies)}


def test_a_page_is_finished_once_on_its_own_thread():
    response, finished = _get_recording_finished("/page/")

    assert response["status"] == 200
    assert response["body"] == b"a page"
    # request_finished hands the thread's database connection back: on the view's thread.
    assert finished == [_served["view_thread"]]


def test_a_download_is_sent_whole_and_closed_after_on_its_own_thread():
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        response, finished = _get_recording_finished("/download/")

    # Read a block at a time, not into a list first (Django warns when it does that).
    assert not [w for w in warned if "consume synchronous iterators" in str(w.message)]

    assert response["status"] == 200
    assert len(response["body"]) == 200_000
    assert _served["file"].closed_on == _served["view_thread"]
    assert finished == [_served["view_thread"]]
