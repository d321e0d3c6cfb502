"""Django's HTTP requests under ASGI, with fewer thread hand-offs than Django's handler.

- `SyncChainHandler`: the request_started signal, the middleware chain with the view,
  and the response's close (request_finished) run as one sync call, in one hand-off to
  a thread. Under Django's ASGIHandler an async-capable `MiddlewareMixin`
  middleware runs its process_request and process_response through `sync_to_async`
  (about a dozen hand-offs a request with this stack), and a sync chain still crossed
  back to the event loop to resolve the URL and then to a thread again for the view.
  py-spy put a third of a web process's time on a webhook flood in those hand-offs.
- `ThreadPerRequest`: each request's thread is kept for the next request, not started
  for it. Django's ASGIHandler runs each request in a ThreadSensitiveContext of its own;
  asgiref then makes a single-thread executor for the request, starts its thread on the
  request's first sync call, and at the end starts another thread to join that one: two
  threads started per request, a quarter of a web process's samples during a webhook
  flood. Here each request gets a single-thread executor from a pool whose threads live
  on. A request's sync code still runs on one thread, with no other request's code on it
  until it ends; Django's own context defers to this one (in asgiref, an outer context
  that was given an executor is the one that counts).

tests/ops/test_middleware_mode.py counts the hand-offs, tests/ops/test_asgi_http.py the
threads.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import set_script_prefix

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]

# Idle threads kept for the next requests; a burst beyond this many concurrent requests
# gets threads that end with it.
MAX_IDLE = 32


class SyncChainHandler(ASGIHandler):
    """Django's ASGIHandler with the request's sync work in one hand-off to its thread:
    the request_started signal, the request, the middleware chain (built in sync mode, as
    under WSGI) with the view, and, for a response whose content is all in memory, its
    close (request_finished, which hands the database connection back to the pool).
    Django's handler makes one hand-off for each signal and another for the chain. A
    streaming response (a file download) is read and closed on the same thread as it is
    sent, a block at a time.
    An async view would be run by the chain through `async_to_sync`; this project's views
    are sync.

    Unlike Django's handler, a client that disconnects while its view runs is not
    listened for: a sync view cannot be stopped, so Django's listening only let it skip
    sending the answer, which the server drops anyway."""

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def handle(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        try:
            response = await sync_to_async(self.respond, thread_sensitive=True)(
                scope, body_file
            )
            try:
                await self.send_response(response, send)
            finally:
                if response.streaming:
                    await sync_to_async(response.close, thread_sensitive=True)()
        finally:
            body_file.close()

    def respond(self, scope: dict[str, Any], body_file: Any) -> HttpResponseBase:
        """Everything of one request that runs on its thread before the answer is sent."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, error_response = self.create_request(scope, body_file)
        if request is None:
            assert error_response is not None  # Django gives one or the other
            response: HttpResponseBase = error_response
        else:
            response = self.get_response(request)
            response._handler_class = self.__class__  # type: ignore[attr-defined]
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if not response.streaming:
            response.close()
        elif isinstance(response, StreamingHttpResponse) and not response.is_async:
            response.streaming_content = read_on_its_thread(iter(response))
        return response


async def read_on_its_thread(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """A sync streamed response's chunks (a file download's blocks), read one at a time
    on the request's thread as they are sent. Django's handler reads them all into a
    list first: a download took its whole size in memory."""
    pull = sync_to_async(_next_or_none, thread_sensitive=True)
    while (chunk := await pull(chunks)) is not None:
        yield chunk


def _next_or_none(chunks: Iterator[bytes]) -> bytes | None:
    return next(chunks, None)


class ThreadPerRequest:
    def __init__(self, app: ASGIApp, *, max_idle: int = MAX_IDLE) -> None:
        self.app = app
        self.max_idle = max_idle
        # Only the event loop's thread takes and returns executors: no lock.
        self._idle: list[ThreadPoolExecutor] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        executor = self._idle.pop() if self._idle else ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="http-request"
        )
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.app(scope, receive, send)
        finally:
            self._release(executor)

    def _release(self, executor: ThreadPoolExecutor) -> None:
        # A request cancelled while its sync code ran leaves that code running: the next
        # request on this thread waits for it, as it would for a request before it.
        if len(self._idle) < self.max_idle:
            self._idle.append(executor)
        else:
            executor.shutdown(wait=False)

    @property
    def idle(self) -> int:
        return len(self._idle)
