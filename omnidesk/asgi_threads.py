"""Django's HTTP requests under ASGI on threads that are kept, not started per request.

Django's ASGIHandler runs each request in a ThreadSensitiveContext of its own. asgiref
then makes a single-thread executor for the request, starts its thread on the request's
first sync call, and at the end starts another thread to join that one: two threads
started per request. py-spy put a quarter of a web process's samples there during a
webhook flood.

`ThreadPerRequest` gives each HTTP request a single-thread executor from a pool whose
threads live on. A request's sync code still runs on one thread, with no other
request's code on that thread until it ends. Django's own context defers to this one:
in asgiref, an outer context that was given an executor is the one that counts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]

# Idle threads kept for the next requests; a burst beyond this many concurrent requests
# gets threads that end with it.
MAX_IDLE = 32


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
