"""Celery's Redis transport, publishing through one redis-py client per channel.

kombu builds a new redis-py client for every message it publishes (its response
callbacks included: a third of a publish's CPU). A client is a thin, thread-safe front of
its connection pool, so one per channel and pool is enough. Settings use this transport
for `redis://` broker URLs (omnidesk.settings).
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):  # type: ignore[misc]
    def _create_client(self, asynchronous: bool = False) -> Any:
        if asynchronous:
            return super()._create_client(asynchronous=True)
        pool = self.pool
        client = self.__dict__.get("_publishing_client")
        if client is None or client.connection_pool is not pool:  # a new pool: reconnected
            client = self.__dict__["_publishing_client"] = super()._create_client()
        return client


class Transport(kombu_redis.Transport):  # type: ignore[misc]
    Channel = Channel
