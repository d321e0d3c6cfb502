"""The pool hands out a connection without a round trip when the server has said nothing
on it, and still replaces one whose session the server ended (omnidesk.db_backend)."""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest
from django.db import connection
from psycopg_pool import ConnectionPool

from omnidesk.db_backend.base import check_quietly

pytestmark = pytest.mark.django_db(transaction=True)


class CountingConnection(psycopg.Connection[Any]):
    statements = 0

    def execute(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        self.statements += 1
        return super().execute(*args, **kwargs)


def _dsn() -> str:
    params = connection.get_connection_params()
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in params.items()
                                             if k not in ("context", "cursor_factory")})


def _end_session(pid: int) -> None:
    """Ends the session, and returns once its server process has gone (its goodbye sent)."""
    with psycopg.connect(_dsn(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        deadline = time.monotonic() + 10
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s",
                            (pid,)).fetchone() and time.monotonic() < deadline:
            time.sleep(0.01)


def _wait_until_told(conn: psycopg.Connection[Any]) -> None:
    """Until the server's goodbye has reached the connection's socket."""
    import select

    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN)
    assert poller.poll(5000), "the server's goodbye did not arrive"


def test_djangos_pool_checks_quietly():
    connection.ensure_connection()
    assert connection.pool is not None
    assert connection.pool._check is check_quietly


def test_a_quiet_connection_passes_without_a_statement():
    with CountingConnection.connect(_dsn(), autocommit=True) as conn:
        conn.execute("SELECT 1")
        before = conn.statements

        check_quietly(conn)

        assert conn.statements == before


def test_a_session_the_server_ended_fails_the_check():
    with CountingConnection.connect(_dsn(), autocommit=True) as conn:
        _end_session(conn.info.backend_pid)
        _wait_until_told(conn)

        with pytest.raises(psycopg.OperationalError):
            check_quietly(conn)


def test_the_pool_replaces_a_connection_whose_session_ended():
    pool = ConnectionPool(_dsn(), min_size=1, max_size=1, check=check_quietly, open=True,
                          kwargs={"autocommit": True})
    try:
        with pool.connection(timeout=5) as conn:
            ended = conn.info.backend_pid
        _end_session(ended)

        with pool.connection(timeout=5) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
            assert conn.info.backend_pid != ended
    finally:
        pool.close()
