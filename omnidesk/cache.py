"""The Redis cache, tolerant of Redis being down.

The cache only ever holds what can be lost (rate-limit counters, "acknowledged
recently" marks), so a Redis outage must not turn a webhook into a 500 and make a
provider retry it for hours. Each operation that cannot reach Redis logs once and
answers as if the key were absent: `add` says it did not add (an automatic reaction
is skipped rather than risk a loop), `incr` raises ValueError as for a missing key.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class TolerantRedisCache(RedisCache):
    def _unreachable(self, operation: str, exc: Exception) -> None:
        logger.warning("cache %s skipped, Redis unreachable: %s", operation, exc)

    def add(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> bool:
        try:
            return bool(super().add(key, value, timeout, version))
        except UNREACHABLE as exc:
            self._unreachable("add", exc)
            return False

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except UNREACHABLE as exc:
            self._unreachable("get", exc)
            return default

    def set(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE as exc:
            self._unreachable("set", exc)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        try:
            return int(super().incr(key, delta, version))
        except UNREACHABLE as exc:
            self._unreachable("incr", exc)
            raise ValueError(f"Key {key!r} not found (cache unreachable)") from exc

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return bool(super().delete(key, version))
        except UNREACHABLE as exc:
            self._unreachable("delete", exc)
            return False
