"""Django's HTTP requests under ASGI, with fewer thread hand-offs than Django's handler.

- `SyncChainHandler`: the middleware chain and the view run as one sync call, in one
  hand-off to a thread. Under Django's ASGIHandler an async-capable `MiddlewareMixin`
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

tests/ops/test_asgi_http.py counts both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]

# Idle threads kept for the next requests; a burst beyond this many concurrent requests
# gets threads that end with it.
MAX_IDLE = 32


class SyncChainHandler(ASGIHandler):
    """Django's ASGIHandler whose middleware chain, built in sync mode (as under WSGI),
    runs with the view in one `sync_to_async` call. An async view would be run by the
    chain through `async_to_sync`; this project's views are sync."""

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        chain: Any = self._middleware_chain  # type: ignore[has-type]
        self._middleware_chain = sync_to_async(chain, thread_sensitive=True)


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
