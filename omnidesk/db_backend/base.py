"""Django's PostgreSQL backend whose pool checks a connection without a round trip.

With CONN_HEALTH_CHECKS, Django has the pool run `ConnectionPool.check_connection` (an
empty query) on every connection it hands out: a round trip on every request, a third of
a web process's database waits on a webhook flood. When PostgreSQL ends a session (a
restart, pg_terminate_backend, idle_session_timeout) it sends an error and closes the
socket, so a connection that the server has said nothing on since it went back to the
pool is one the server still holds. `check_quietly` polls the socket, and runs the empty
query only when something is there to read (that query then raises for a dead session,
and the pool replaces it).

Django hard-codes the check (`check=` beside the pool options), so the pool it made gets
this one instead. tests/ops/test_pool_check.py pins both cases.
"""

from __future__ import annotations

import select
from typing import Any

import psycopg
from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool


def check_quietly(conn: psycopg.Connection[Any]) -> None:
    """The pool's check: raises for a connection that must not be handed out."""
    if conn.closed or conn.broken:
        raise psycopg.OperationalError("the connection is closed")
    poller = select.poll()  # not select(): a busy process has descriptors past 1,024
    poller.register(conn.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    if poller.poll(0):
        ConnectionPool.check_connection(conn)


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self) -> ConnectionPool[Any] | None:
        pool: ConnectionPool[Any] | None = super().pool
        # psycopg_pool keeps the check it was given as `_check` (3.2).
        if pool is not None and pool._check is ConnectionPool.check_connection:
            pool._check = check_quietly
        return pool
