"""Celery tasks for deployments that poll IMAP from beat (the embedded single-process
set-up among them) instead of running the `poll_imap` watchers. Autodiscovery imports
only `channels_email.tasks`, which must import this module."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.db.models import Max
from django.utils import timezone

from channels_email.imap.client import ImapConfigError, load_settings
from channels_email.imap.poller import poll_inbox
from channels_email.imap.watcher import imap_inboxes
from channels_email.models import ImapMailboxState
from conversations.models import Inbox

logger = logging.getLogger(__name__)

# Beat fires on its own schedule; an inbox polled a little less than its interval ago
# is due all the same, or the poll's own latency would skip every second beat.
MAX_EARLY = timedelta(seconds=30)


@shared_task
def poll_imap_task() -> int:
    """Queue one poll of each active IMAP inbox whose poll interval has passed; each
    runs as its own task so a slow mailbox does not hold up the others. Returns how
    many were queued."""
    now = timezone.now()
    inboxes = imap_inboxes()
    polled_at = dict(
        ImapMailboxState.objects.filter(inbox__in=inboxes)
        .values_list("inbox_id")
        .annotate(at=Max("last_polled_at"))
    )
    due = [inbox for inbox in inboxes if _is_due(inbox, polled_at.get(inbox.pk), now)]
    for inbox in due:
        poll_imap_inbox_task.delay(inbox.pk)
    return len(due)


def _is_due(inbox: Inbox, polled_at: datetime | None, now: datetime) -> bool:
    if polled_at is None:
        return True
    try:
        interval = timedelta(seconds=load_settings(inbox).poll_interval)
    except ImapConfigError:
        return True  # the poll records what is wrong, for the admin to see
    return now - polled_at >= interval - min(interval / 2, MAX_EARLY)


@shared_task(acks_late=True)
def poll_imap_inbox_task(inbox_id: int) -> str:
    """One poll of one inbox. Safe to run twice at once or next to a watcher: the
    folder's state row is locked per block of messages and a UID is handled only
    once."""
    inbox = Inbox.objects.filter(pk=inbox_id, is_active=True).first()
    if inbox is None:
        return "skipped"
    report = poll_inbox(inbox)
    if report.error:
        logger.warning("IMAP poll: %s", report.summary())
    return report.summary()
