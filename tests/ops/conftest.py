"""Operating omnidesk on PostgreSQL: `manage.py serve --no-worker` in a subprocess on this
test run's database (the real PostgreSQL, directly or through a proxy the test can cut),
with API-inbox webhooks sent over real HTTP by concurrent clients.

The server's connections carry their own application_name, so the sessions it holds are
counted in pg_stat_activity apart from this process's.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import psycopg
import pytest
import redis
import requests
from django.db import connection

from conversations.models import Inbox

# Fixtures of tests/run, used here under their names.
from tests.run.conftest import Server, embedded_env, start_server  # noqa: F401

PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_URL = f"redis://127.0.0.1:6379/{os.environ.get('TEST_REDIS_DB', '1')}"


@pytest.fixture
def ops_inbox(transactional_db: Any) -> Inbox:
    """An API inbox, committed: the server subprocess reads it."""
    return Inbox.objects.create(kind="api", name="Shop events", slug="shop")


@dataclass
class PgServer:
    server: Server
    application_name: str  # of every PostgreSQL session the server opens

    @property
    def url(self) -> str:
        return self.server.url

    def output(self) -> str:
        return self.server.output()


@pytest.fixture
def serve_on_postgres(embedded_env: dict[str, str], start_server: Any,  # noqa: F811
                      transactional_db: Any) -> Iterator[Callable[..., PgServer]]:
    """Starts `manage.py serve --no-worker` on this test run's database, reached on
    `port` (PostgreSQL's, or a proxy's), with `settings` added to its environment."""
    redis.Redis.from_url(REDIS_URL).delete("celery")
    started = itertools.count(1)

    def start(port: int = PG_PORT, **settings: str) -> PgServer:
        name = connection.settings_dict["NAME"]
        application_name = f"omnidesk-ops-test-{os.getpid()}-{next(started)}"
        env = {
            **embedded_env,
            "DATABASE_URL": f"postgres://postgres@{PG_HOST}:{port}/{name}"
                            f"?application_name={application_name}",
            "REDIS_URL": REDIS_URL,
            "UVICORN_LOG_LEVEL": "warning",
            **settings,
        }
        return PgServer(start_server(env, "--no-worker"), application_name)

    yield start
    # The routing tasks the server queued: no worker runs here to take them.
    redis.Redis.from_url(REDIS_URL).delete("celery")


def server_sessions(server: PgServer) -> int:
    with psycopg.connect(host=PG_HOST, port=PG_PORT, user="postgres", dbname="postgres",
                         autocommit=True) as db:
        row = db.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                         (server.application_name,)).fetchone()
    assert row is not None
    return int(row[0])


@dataclass
class SessionWatch:
    """Samples the server's PostgreSQL session count in a thread until stopped."""

    server: PgServer
    samples: list[int] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> SessionWatch:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        with psycopg.connect(host=PG_HOST, port=PG_PORT, user="postgres", dbname="postgres",
                             autocommit=True) as db:
            while not self._stop.wait(0.05):
                row = db.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                    (self.server.application_name,),
                ).fetchone()
                assert row is not None
                self.samples.append(int(row[0]))


@dataclass
class Answer:
    provider_id: str
    status: int  # 0: no HTTP answer (connection error or timeout)
    seconds: float
    retry_after: str | None
    body: str


def push(session: requests.Session, server: PgServer, token: str, provider_id: str,
         timeout: float = 30) -> Answer:
    """One signed API-inbox webhook: a message from its own customer."""
    started = time.monotonic()
    try:
        answer = session.post(
            f"{server.url}/api/v1/inbound/", timeout=timeout,
            headers={"Authorization": f"Bearer {token}"},
            json={"sender": {"kind": "email", "value": f"{provider_id}@example.com"},
                  "text": f"Message {provider_id}", "provider_id": provider_id},
        )
    except (requests.ConnectionError, requests.Timeout) as exc:
        return Answer(provider_id, 0, time.monotonic() - started, None, repr(exc))
    return Answer(provider_id, answer.status_code, time.monotonic() - started,
                  answer.headers.get("Retry-After"), answer.text[:300])


def send_concurrently(server: PgServer, token: str, provider_ids: list[str],
                      clients: int) -> list[Answer]:
    """`clients` threads, each with its own keep-alive session, share the webhooks."""
    local = threading.local()

    def one(provider_id: str) -> Answer:
        if not hasattr(local, "session"):
            local.session = requests.Session()
            local.session.trust_env = False
        return push(local.session, server, token, provider_id)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        return list(pool.map(one, provider_ids))
