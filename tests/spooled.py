"""The inbound spool in tests: what a drain thread does right after a webhook's commit,
done in the test's own transaction (which the thread could not see)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.signals import request_finished, request_started

from spool.models import SpooledEvent
from spool.tasks import drain_spool_task


def drained(timeout: float = 10.0) -> None:
    """Drain the spool until nothing due is left: here, or (in a test whose commits are
    real) by this process's drain thread, which may hold a lane for a moment."""
    deadline = time.monotonic() + timeout
    while True:
        drain_spool_task()
        if not SpooledEvent.objects.filter(retry_at__isnull=True).exists():
            return
        if time.monotonic() > deadline:
            raise AssertionError("the spool was not drained")
        time.sleep(0.01)


@pytest.fixture
def email_webhooks_drained() -> Iterator[None]:
    """After each request to an email webhook (/anymail/...), the spool is drained, as
    tests/twilio/signing.post_signed does after Twilio's."""
    pending: list[bool] = []

    def started(sender: Any, environ: dict[str, Any] | None = None, **kwargs: Any) -> None:
        pending.append(str((environ or {}).get("PATH_INFO", "")).startswith("/anymail/"))

    def finished(sender: Any, **kwargs: Any) -> None:
        if pending and pending.pop():
            drained()

    request_started.connect(started, weak=False, dispatch_uid="tests.spooled.started")
    request_finished.connect(finished, weak=False, dispatch_uid="tests.spooled.finished")
    try:
        yield
    finally:
        request_started.disconnect(dispatch_uid="tests.spooled.started")
        request_finished.disconnect(dispatch_uid="tests.spooled.finished")
