"""The job outbox: one row per piece of work that a committed change requires."""

from __future__ import annotations

from django.db import models


class Job(models.Model):
    """A Celery task that must run because a change committed.

    Written in the transaction of the change, so the work exists exactly when the change
    does. It is published to the broker after commit and deleted by the worker once the
    task has run; a row still here at `due_at` was never published or was lost with the
    broker, and the relay publishes it again (tasks are idempotent, so a job that runs
    twice does no harm).
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    # When the relay (re)publishes the job unless the worker has deleted it by then:
    # at first the moment it may run; after a publish, when it should long have run.
    due_at = models.DateTimeField()
    # The earliest moment the task may run (a countdown from the change).
    run_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["due_at", "id"], name="job_due")]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)} #{self.pk}"

    @property
    def celery_id(self) -> str:
        return celery_id(self.pk)


CELERY_ID_PREFIX = "job-"


def celery_id(job_id: int) -> str:
    """The Celery task id of a job: fixed, so a job published twice is one task id."""
    return f"{CELERY_ID_PREFIX}{job_id}"


def job_id_of(celery_task_id: str | None) -> int | None:
    if not celery_task_id or not celery_task_id.startswith(CELERY_ID_PREFIX):
        return None
    tail = celery_task_id[len(CELERY_ID_PREFIX) :]
    return int(tail) if tail.isdigit() else None
