"""The relay: publishes every job that is due and not finished.

A job is due when its publish after commit failed (broker down, process gone), or when
it was published long ago and no worker has finished it (lost with the broker's
memory). The relay runs from beat every few seconds and when a worker starts.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from jobs import conf
from jobs.models import Job
from jobs.publisher import BrokerUnavailable, publish, resume_publishing

logger = logging.getLogger(__name__)

# A job whose task this process does not know waits this long before the next try
# (a deploy in progress may bring it), so it does not crowd out the others.
UNKNOWN_TASK_WAIT = timedelta(hours=1)


def relay_due_jobs(limit: int | None = None) -> int:
    """Publish the due jobs, oldest first; returns how many were published. Rows are
    locked with SKIP LOCKED, so two relays never publish the same job at once."""
    limit = limit or conf.relay_batch()
    now = timezone.now()
    published: list[Job] = []
    with transaction.atomic():
        due = list(
            Job.objects.select_for_update(skip_locked=True)
            .filter(due_at__lte=now)
            .order_by("due_at", "id")[:limit]
        )
        if not due:
            return 0
        resume_publishing()  # the relay is the one that finds out the broker is back
        for job in due:
            try:
                publish(job, now)
            except BrokerUnavailable as exc:
                logger.warning("relay: broker unavailable, %d jobs wait: %s", len(due), exc)
                break
            except LookupError as exc:
                job.due_at, job.last_error = now + UNKNOWN_TASK_WAIT, str(exc)[:500]
                job.save(update_fields=["due_at", "last_error"])
                continue
            job.due_at = max(job.run_at, now) + conf.redeliver_after()
            job.attempts += 1
            job.last_error = ""
            published.append(job)
        Job.objects.bulk_update(published, ["due_at", "attempts", "last_error"])
    return len(published)
