"""The worker's side of the outbox: a job row is deleted once its task has run.

Celery's own signals (not Django's) tell the worker process when a task finished,
failed or was scheduled for a retry; only tasks published as jobs (task id `job-<id>`)
are looked at.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from celery.signals import task_failure, task_retry, task_success, worker_ready
from django.db import DatabaseError, InterfaceError, OperationalError
from django.utils import timezone

from jobs import conf
from jobs.models import Job, job_id_of

logger = logging.getLogger(__name__)

_connected = False


def connect_worker_signals() -> None:
    global _connected
    if _connected:
        return
    task_success.connect(_on_success, weak=False)
    task_failure.connect(_on_failure, weak=False)
    task_retry.connect(_on_retry, weak=False)
    worker_ready.connect(_on_worker_ready, weak=False)
    _connected = True


def _task_id(sender: Any) -> str | None:
    request = getattr(sender, "request", None)
    return getattr(request, "id", None)


def _delete(job_id: int) -> None:
    try:
        Job.objects.filter(pk=job_id).delete()
    except DatabaseError:
        # Still recorded: the relay runs it again later, which an idempotent task allows.
        logger.warning("could not delete finished job %s", job_id, exc_info=True)


def _on_success(sender: Any = None, **kwargs: Any) -> None:
    job_id = job_id_of(_task_id(sender))
    if job_id is not None:
        _delete(job_id)


def _on_failure(
    sender: Any = None, task_id: str | None = None, exception: BaseException | None = None,
    **kwargs: Any,
) -> None:
    job_id = job_id_of(task_id)
    if job_id is None:
        return
    if isinstance(exception, OperationalError | InterfaceError):
        # The database was unavailable: the work was not done. Leave the job for the
        # relay, which publishes it again once it is due.
        logger.warning("job %s failed on the database, left for the relay: %s", job_id, exception)
        return
    logger.error("job %s (%s) failed: %r", job_id, getattr(sender, "name", "?"), exception)
    _delete(job_id)


def _on_retry(sender: Any = None, request: Any = None, reason: Any = None, **kwargs: Any) -> None:
    job_id = job_id_of(getattr(request, "id", None))
    if job_id is None:
        return
    due = _retry_time(getattr(reason, "when", None)) + conf.redeliver_after()
    try:
        Job.objects.filter(pk=job_id).update(due_at=due)
    except DatabaseError:
        logger.warning("could not postpone retried job %s", job_id, exc_info=True)


def _retry_time(when: Any) -> datetime:
    now = timezone.now()
    if isinstance(when, datetime):
        return when if timezone.is_aware(when) else timezone.make_aware(when)
    if isinstance(when, int | float):
        return now + timedelta(seconds=when)
    return now


def _on_worker_ready(**kwargs: Any) -> None:
    from jobs.relay import relay_due_jobs

    try:
        relay_due_jobs()
    except DatabaseError:
        logger.warning("relay at worker start failed", exc_info=True)
