"""OMNIDESK_BULK_QUEUE: long tasks on a queue of their own, everything else where it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from tests.run.conftest import NOT_EMBEDDED, ROOT

PRINT_QUEUES = (
    "import json, django; django.setup(); from django.conf import settings; "
    "from omnidesk.celery import app; app.loader.import_default_modules(); "
    "route = lambda name: app.amqp.router.route({}, name)['queue'].name; "
    "print(json.dumps({'bulk': {t: route(t) for t in settings.BULK_TASKS}, "
    "'registered': sorted(set(settings.BULK_TASKS) - set(app.tasks)), "
    "'routing': route('routing.tasks.route_inbound_task'), "
    "'send': route('conversations.tasks.send_interaction_task'), "
    "'relay': route('jobs.tasks.relay_jobs_task')}))"
)


def queues(tmp_path: Any, **settings: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in NOT_EMBEDDED}
    env.update(DJANGO_SETTINGS_MODULE="omnidesk.settings", OMNIDESK_VAR_DIR=str(tmp_path),
               **settings)
    done = subprocess.run([sys.executable, "-c", PRINT_QUEUES], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_without_a_bulk_queue_every_task_uses_the_default_queue(tmp_path):
    found = queues(tmp_path)
    assert set(found["bulk"].values()) == {"celery"}
    assert (found["routing"], found["send"], found["relay"]) == ("celery", "celery", "celery")


def test_a_bulk_queue_takes_the_long_tasks_and_only_them(tmp_path):
    found = queues(tmp_path, OMNIDESK_BULK_QUEUE="bulk")
    assert found["registered"] == []  # every routed name is a real task
    assert set(found["bulk"].values()) == {"bulk"}
    assert (found["routing"], found["send"], found["relay"]) == ("celery", "celery", "celery")
