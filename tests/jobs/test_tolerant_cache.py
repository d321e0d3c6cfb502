"""The cache answers "absent" when Redis is down, instead of failing the request."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings

from omnidesk.cache import TolerantRedisCache
from tests.jobs.conftest import closed_port


def test_with_redis_unreachable_every_operation_answers_as_for_a_missing_key():
    cache = TolerantRedisCache(f"redis://127.0.0.1:{closed_port()}/0", {})

    assert cache.add("k", 1) is False
    assert cache.get("k", "fallback") == "fallback"
    assert cache.set("k", 1) is None
    assert cache.delete("k") is False
    with pytest.raises(ValueError, match="not found"):
        cache.incr("k")
    assert cache.count_in_window("k", 60) is None


def test_with_redis_up_it_is_the_ordinary_redis_cache():
    cache = TolerantRedisCache(settings.REDIS_URL, {})
    key = f"tolerant-{uuid.uuid4()}"

    assert cache.add(key, 1, timeout=30) is True
    assert cache.add(key, 1, timeout=30) is False
    assert cache.incr(key) == 2
    assert cache.get(key) == 2
    assert cache.delete(key) is True


def test_a_window_counter_counts_in_one_round_trip_and_expires():
    import redis

    cache = TolerantRedisCache(settings.REDIS_URL, {})
    key = f"window-{uuid.uuid4()}"
    commands = []
    client = cache._cache.get_client(cache.make_and_validate_key(key), write=True)
    pool = client.connection_pool
    original = pool.get_connection

    def counting(*args, **kwargs):  # one connection checkout per round trip
        commands.append(args)
        return original(*args, **kwargs)

    pool.get_connection = counting
    try:
        assert [cache.count_in_window(key, 30) for _ in range(3)] == [1, 2, 3]
    finally:
        pool.get_connection = original
    assert len(commands) == 3
    ttl = redis.Redis.from_url(settings.REDIS_URL).ttl(cache.make_and_validate_key(key))
    assert 0 < ttl <= 30
    assert cache.get(key) == 3


def test_operations_share_one_client_per_connection_pool():
    cache = TolerantRedisCache(settings.REDIS_URL, {})
    key = f"shared-{uuid.uuid4()}"
    first = cache._cache.get_client(key, write=True)
    assert cache._cache.get_client(key, write=False) is first
    cache.set(key, 1, timeout=30)
    assert cache.count_in_window(key + "-n", 30) == 1
    assert cache._cache.get_client(key, write=True) is first
    assert cache.get(key) == 1
