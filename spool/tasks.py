from __future__ import annotations

from celery import shared_task

from spool.drain import drain_waiting


@shared_task(ignore_result=True)
def drain_spool_task() -> int:
    """Beat: drain every lane with events, for the processes that died after spooling
    them and for the events whose retry time has come. Lanes a drain holds are skipped."""
    return drain_waiting()
