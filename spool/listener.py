"""The drain as a process of its own (OMNIDESK_SPOOL_DRAIN=process): web processes only
accept, and say so with a NOTIFY on commit (sent by the spooling INSERT, spool.accept);
`manage.py drain_spool` processes LISTEN and drain the lanes named, with a Drainer
thread like the web processes' own. Several may run: the lanes' advisory locks keep one
drain per lane. Every few seconds a process also drains every lane with events (a NOTIFY
lost while it reconnected, retries that came due), so nothing waits on a notification.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import psycopg
from django.conf import settings
from django.db import DatabaseError, connection

from spool.drain import lanes_waiting
from spool.drainer import Drainer

logger = logging.getLogger(__name__)

CHANNEL = "omnidesk_spool"
RECONNECT_SECONDS = 2.0


def _listen_params() -> dict[str, Any]:
    wanted = ("dbname", "user", "password", "host", "port", "sslmode", "connect_timeout")
    return {k: v for k, v in connection.get_connection_params().items() if k in wanted}


def listen_and_drain(stop: threading.Event | None = None) -> None:
    """Drain what the web processes accept until `stop` is set (never, from the command)."""
    stop = stop or threading.Event()
    drainer = Drainer()
    sweep_every = float(settings.OMNIDESK_SPOOL_SWEEP_SECONDS)
    while not stop.is_set():
        try:
            with psycopg.connect(**_listen_params(), autocommit=True) as listening:
                listening.execute(f"LISTEN {CHANNEL}")
                logger.info("spool: listening for accepted events")
                _wake_waiting(drainer)  # what was accepted while nobody listened
                swept = time.monotonic()
                while not stop.is_set():
                    for note in listening.notifies(timeout=1.0):
                        if note.payload.isdigit():
                            drainer.wake(int(note.payload))
                    if time.monotonic() - swept >= sweep_every:
                        _wake_waiting(drainer)
                        swept = time.monotonic()
        except (psycopg.Error, DatabaseError):
            logger.warning("spool: the database is unavailable; listening again shortly",
                           exc_info=True)
            connection.close()
            stop.wait(RECONNECT_SECONDS)
    drainer.stop()


def _wake_waiting(drainer: Drainer) -> None:
    for lane in lanes_waiting():
        drainer.wake(lane)
    connection.close()  # this thread's; the drainer has its own
