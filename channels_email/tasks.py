"""Celery finds an app's tasks in <app>.tasks; the email channel's live in submodules."""

from __future__ import annotations

from channels_email.follow_ups import acknowledge_task, mark_bounced_task
from channels_email.imap.tasks import poll_imap_inbox_task, poll_imap_task

__all__ = ["acknowledge_task", "mark_bounced_task", "poll_imap_inbox_task", "poll_imap_task"]
