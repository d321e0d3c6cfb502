"""A process's copy of small configuration that every inbound event reads.

SLA policies and the email inboxes are read on each message; they change a few times a
year. `ConfigCache` keeps what its loader returned and drops it when one of its models is
saved or deleted in this process (at once, and again when that transaction commits, so
an uncommitted change is never kept). A change made by another process reaches this one
within `OMNIDESK_CONFIG_CACHE_SECONDS` (5; 0 turns the caches off). Bulk `.update()`
sends no signal, so configuration is written with `save()` (the settings actions do).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

_caches: list[ConfigCache[Any]] = []


class ConfigCache(Generic[T]):
    def __init__(self, name: str, load: Callable[[], T], models_: Iterable[type[models.Model]]):
        self.name = name
        self._load = load
        self._lock = threading.Lock()
        self._value: T | None = None
        self._loaded_at: float | None = None
        for model in models_:
            for signal in (post_save, post_delete):
                signal.connect(self._changed, sender=model, weak=False,
                               dispatch_uid=f"config-cache-{name}-{model._meta.label}")
        _caches.append(self)

    def get(self) -> T:
        ttl = float(settings.OMNIDESK_CONFIG_CACHE_SECONDS)
        with self._lock:
            fresh = self._loaded_at is not None and time.monotonic() - self._loaded_at < ttl
            if fresh:
                return self._value  # type: ignore[return-value]
        value = self._load()
        if ttl > 0 and not _writes_pending():
            self._keep(value)
        return value

    def _keep(self, value: T) -> None:
        with self._lock:
            self._value, self._loaded_at = value, time.monotonic()

    def clear(self) -> None:
        with self._lock:
            self._value, self._loaded_at = None, None

    def _changed(self, **kwargs: Any) -> None:
        self.clear()
        transaction.on_commit(self.clear)


def _writes_pending() -> bool:
    """Inside a transaction that already changed configuration, the loader may have read
    the uncommitted change: `_changed` registered an on-commit clear; keep nothing."""
    connection = transaction.get_connection()
    return any(getattr(hook[1], "__self__", None) in _caches
               for hook in connection.run_on_commit)


def clear_all() -> None:
    """Forget every cached copy (tests start from an empty cache)."""
    for cache in _caches:
        cache.clear()
