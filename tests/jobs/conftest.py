"""Fixtures of the job outbox tests: a broker that refuses connections, the test run's
queue on the real Redis."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import redis
from celery import Celery
from django.conf import settings

from jobs.publisher import resume_publishing


def closed_port() -> int:
    """A port nothing listens on: connections to it are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _reset_connections(app: Celery) -> None:
    # Dropped, not closed: kombu keeps a pool per broker URL, and the real one's pool
    # is still in use by the worker fixture and comes back with the real URL.
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_refusing() -> Iterator[None]:
    """The Celery app of this process publishes to a port that refuses: the broker is
    down, as far as the web side can tell."""
    from omnidesk.celery import app

    real = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{closed_port()}/0"
    _reset_connections(app)
    try:
        yield
    finally:
        app.conf.broker_url = real
        _reset_connections(app)
        resume_publishing()


@pytest.fixture
def broker_down() -> Any:
    return broker_refusing


def queue_length() -> int:
    """Messages waiting in this test run's Celery queue on the real Redis."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    return int(client.llen(settings.CELERY_TASK_DEFAULT_QUEUE))


def purge_queue() -> None:
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(settings.CELERY_TASK_DEFAULT_QUEUE)
