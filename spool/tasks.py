from __future__ import annotations

from celery import shared_task

from spool.drain import LaneBusy, drain_lane, lanes_waiting


@shared_task(ignore_result=True)
def drain_spool_task() -> int:
    """Beat: drain every lane with events, for the processes that died after spooling
    them and for the events whose retry time has come. Lanes a drain holds are skipped."""
    taken = 0
    for lane in lanes_waiting():
        try:
            taken += drain_lane(lane)
        except LaneBusy:
            continue
    return taken
