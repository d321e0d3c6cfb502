"""Publishing jobs to Celery: right after commit, and again by the relay."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from celery import current_app
from django.db import DatabaseError
from django.utils import timezone

from jobs import conf
from jobs.models import Job, celery_id

logger = logging.getLogger(__name__)

_pause_lock = threading.Lock()
_paused_until = 0.0  # time.monotonic() before which this process does not try the broker


class BrokerUnavailable(Exception):
    """The broker refused or could not take the message."""


def broker_paused() -> bool:
    return time.monotonic() < _paused_until


def _pause_publishing() -> None:
    global _paused_until
    with _pause_lock:
        _paused_until = time.monotonic() + conf.broker_pause()


def resume_publishing() -> None:
    global _paused_until
    with _pause_lock:
        _paused_until = 0.0


def publish(job: Job, now: datetime | None = None) -> None:
    """Hand the job to Celery; raises BrokerUnavailable when that failed."""
    now = now or timezone.now()
    task = current_app.tasks.get(job.task)
    if task is None:
        raise LookupError(f"no Celery task named {job.task!r}")
    countdown = max(0.0, (job.run_at - now).total_seconds())
    try:
        # retry=False: a broker that is down must not hold the caller for seconds.
        task.apply_async(
            args=job.args, task_id=celery_id(job.pk), countdown=countdown or None, retry=False
        )
    except Exception as exc:  # kombu, redis and socket errors alike
        _pause_publishing()
        raise BrokerUnavailable(f"{exc.__class__.__name__}: {exc}") from exc


def publish_after_commit(job: Job) -> None:
    """On commit: publish now, or leave the job due at once for the relay."""
    if not broker_paused():
        try:
            publish(job)
            return
        except BrokerUnavailable as exc:
            logger.warning("broker unavailable, job %s left to the relay: %s", job.pk, exc)
        except LookupError as exc:
            logger.error("job %s cannot be published: %s", job.pk, exc)
    try:
        Job.objects.filter(pk=job.pk).update(due_at=job.run_at, last_error="not published yet")
    except DatabaseError:
        # The job is still recorded; it comes due at its redelivery time instead.
        logger.warning("could not mark job %s for the relay", job.pk, exc_info=True)
