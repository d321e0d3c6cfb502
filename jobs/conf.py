"""Settings of the job outbox (defined in omnidesk/settings.py), read at call time."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings


def redeliver_after() -> timedelta:
    """How long after a job was published, or was due to run, the relay publishes it
    again if no worker has finished it: a job lost with the broker runs by then."""
    return timedelta(seconds=int(settings.OMNIDESK_JOB_REDELIVER_SECONDS))


def broker_pause() -> float:
    """Seconds a process stops publishing after commit once the broker refused it (the
    relay publishes those jobs instead), so a broker outage costs requests no time."""
    return float(settings.OMNIDESK_JOB_BROKER_PAUSE_SECONDS)


def relay_batch() -> int:
    return int(settings.OMNIDESK_JOB_RELAY_BATCH)
