from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def roll_up_task() -> int:
    """Beat, every 5 minutes: every day not rolled up since the last run, yesterday again
    (late events), and today; then each month that is over and not rolled up yet.
    Idempotent: each day's and month's rows are replaced whole. Nothing on SQLite."""
    from reports.availability import reports_available

    if not reports_available():
        return 0
    from reports.actions.rollup import (
        days_to_roll_up,
        do_roll_up_day,
        do_roll_up_month,
        months_to_roll_up,
    )

    days = days_to_roll_up()
    for day in days:
        do_roll_up_day(day)
    for month in months_to_roll_up():
        do_roll_up_month(month)
    return len(days)
