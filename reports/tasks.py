from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def roll_up_task() -> int:
    """Beat, every 5 minutes: every day not rolled up since the last run, yesterday again
    (late events), and today. Idempotent: each day's rows are replaced whole."""
    from reports.actions.rollup import days_to_roll_up, do_roll_up_day

    days = days_to_roll_up()
    for day in days:
        do_roll_up_day(day)
    return len(days)
