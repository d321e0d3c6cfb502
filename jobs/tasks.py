from __future__ import annotations

from celery import shared_task

from jobs.relay import relay_due_jobs


@shared_task(ignore_result=True)
def relay_jobs_task() -> int:
    """Beat: publish the jobs whose publish failed or whose task was lost."""
    return relay_due_jobs()
