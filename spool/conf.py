"""Settings of the inbound spool (defined in omnidesk/settings.py), read at call time."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings


def enabled() -> bool:
    return bool(settings.OMNIDESK_SPOOL)


def lanes() -> int:
    return max(1, int(settings.OMNIDESK_SPOOL_LANES))


def batch_size() -> int:
    return max(1, int(settings.OMNIDESK_SPOOL_BATCH))


def retry_delay(attempts: int) -> timedelta:
    """How long a failed event waits before its next attempt: doubling, at most an hour."""
    return timedelta(seconds=min(5 * 2 ** max(0, attempts - 1), 3600))
