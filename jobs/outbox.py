"""`enqueue_job`: the only way code asks for work that a change requires.

Called inside the change's transaction, it writes a Job row; after commit the job is
published to Celery. If the broker is down the change still commits and the request
still succeeds: the relay (jobs.relay) publishes the job when the broker is back.
A bare `.delay()` in an on-commit callback would be lost instead.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import Task
from django.db import transaction
from django.utils import timezone

from jobs import conf
from jobs.models import Job
from jobs.publisher import publish_after_commit
from omnidesk.fastsql import ReservedKeys, insert_row, pipelining

logger = logging.getLogger(__name__)

JSONValue = Any  # a job's arguments are stored as JSON: ids, strings, numbers, bools

_keys = ReservedKeys(Job)


def enqueue_job(task: Task | str, *args: JSONValue, countdown: float = 0) -> Job:
    """Record that `task(*args)` must run (after `countdown` seconds), published on
    commit. Arguments are primary keys and plain values; the task must be idempotent."""
    name = task if isinstance(task, str) else task.name
    now = timezone.now()
    run_at = now + timedelta(seconds=max(0.0, countdown))
    job = Job(
        task=name,
        args=list(args),
        run_at=run_at,
        # Assume the publish after commit succeeds; if it does not, it says so.
        due_at=run_at + conf.redeliver_after(),
    )
    # Job.objects.create() without compiling the INSERT each time; in a batch of inbound
    # events (a pipelined block), with a key reserved ahead, waiting for no answer.
    job.pk = _keys.take() if pipelining() else None
    insert_row(job, deferred=job.pk is not None)
    transaction.on_commit(lambda: publish_after_commit(job))
    return job
