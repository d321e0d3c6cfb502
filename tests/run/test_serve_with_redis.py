"""`manage.py serve` with REDIS_URL: celery worker and beat run as its child processes,
do the web process's queued work, and stop when serve stops."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest
import redis
import requests

from tests.run.conftest import manage
from tests.waiting import wait_for

pytestmark = pytest.mark.slow  # real servers and processes: scheduled first

REDIS_URL = f"redis://127.0.0.1:6379/{os.environ.get('TEST_REDIS_DB', '7')}"


def children_of(pid: int) -> dict[int, list[str]]:
    """The child processes of `pid` and their argv, read from /proc: `ps -o args=` may cut
    or squeeze the arguments (it answered ['b', 'w'] on one machine)."""
    children: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes()
        except (FileNotFoundError, ProcessLookupError):
            continue  # ended meanwhile
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            children[int(entry.name)] = [arg.decode() for arg in argv.split(b"\0") if arg]
    return children


def environment_of(pid: int) -> dict[str, str]:
    pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(pair.decode().split("=", 1) for pair in pairs if b"=" in pair)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_serve_runs_celery_worker_and_beat_as_children_with_redis(embedded_env, start_server):
    env = {**embedded_env, "REDIS_URL": REDIS_URL}
    redis.Redis.from_url(REDIS_URL).delete("celery")  # this test's Redis db: no one else's work
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", "from conversations.models import Inbox; "
           "Inbox.objects.create(kind='api', name='Shop', slug='shop')")

    server = start_server(env)
    assert "broker and channel layer: Redis" in server.output()
    assert "starting celery worker and beat (child processes)" in server.output()
    children = wait_for(lambda: (c := children_of(server.process.pid)) and len(c) == 2 and c)
    kinds = sorted(argv[argv.index("omnidesk") + 1] for argv in children.values())
    assert kinds == ["beat", "worker"]
    # Celery's prefork children would close a connection pool after every task.
    pass

    with sqlite3.connect(Path(env["OMNIDESK_VAR_DIR"]) / "omnidesk.sqlite3") as db:
        token = db.execute(
            "SELECT token FROM conversations_inbox WHERE slug = 'shop'").fetchone()[0]
    answer = requests.post(
        f"{server.url}/api/v1/inbound/", headers={"Authorization": f"Bearer {token}"},
        json={"sender": {"kind": "email", "value": "redis.path@example.com"},
              "text": "Queued through Redis", "provider_id": "redis-1"}, timeout=10,
    )
    assert answer.status_code == 201, answer.text
    conversation_id = answer.json()["conversation"]

    def due() -> str | None:
        with sqlite3.connect(Path(env["OMNIDESK_VAR_DIR"]) / "omnidesk.sqlite3") as db:
            return db.execute("SELECT first_response_due_at FROM conversations_conversation "
                              "WHERE id = ?", (conversation_id,)).fetchone()[0]

    # The web process has no worker of its own here: the child worker ran the routing task.
    assert wait_for(due, timeout=30)

    server.process.terminate()
    server.process.wait(timeout=40)
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in children if alive(pid)] == []
