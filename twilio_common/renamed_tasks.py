"""Celery task names from before the Twilio apps were reorganised (SMS, MMS and
WhatsApp moved from channels_voice.messaging to channels_sms; channels_voice.voice
flattened into channels_voice).

A task already in the broker under an old name during an upgrade (a retry waiting out
its countdown, a job not yet consumed) would be refused by a worker that no longer
knows that name, and its work lost. Each old name stays registered as a task that
hands the same arguments on to the task's new name. Remove after a release.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task


def forward_old_name(old_name: str, task: Task) -> None:
    @shared_task(name=old_name, acks_late=True)
    def forward(*args: Any, **kwargs: Any) -> None:
        task.apply_async(args=args, kwargs=kwargs)
