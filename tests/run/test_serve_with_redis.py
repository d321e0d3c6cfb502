"""`manage.py serve` with REDIS_URL: celery worker and beat run as its child processes,
do the web process's queued work, and stop when serve stops."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from pathlib import Path

import redis
import requests

from tests.run.conftest import manage
from tests.waiting import wait_for

REDIS_URL = f"redis://127.0.0.1:6379/{os.environ.get('TEST_REDIS_DB', '7')}"


def children_of(pid: int) -> dict[int, str]:
    out = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True,
                         text=True, check=False).stdout
    return {int(line.split(None, 1)[0]): line.split(None, 1)[1] for line in out.splitlines()}


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
    kinds = sorted(args.split(" omnidesk ")[1].split()[0] for args in children.values())
    assert kinds == ["beat", "worker"]

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
    assert not any(alive(pid) for pid in children)
