"""The embedded default: a Celery worker and beat in threads of the web process.

With no REDIS_URL, tasks go through kombu's in-process `memory://` broker; this worker
(solo pool) runs them, countdown and retry tasks included. Separate `celery worker`
processes take over by configuration alone (REDIS_URL, OMNIDESK_EMBEDDED_WORKER=0).
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings

logger = logging.getLogger(__name__)

_started = False
_lock = threading.Lock()


def start_embedded_worker() -> bool:
    """Start the worker and beat threads once per process; True if started now."""
    global _started
    with _lock:
        if _started or not settings.EMBEDDED_WORKER:
            return False
        _started = True
    from celery.beat import EmbeddedService

    from omnidesk.celery import app

    def run_worker() -> None:
        # Built in its own thread: Celery's Django fix-up closes database connections
        # while the worker initializes, which Django forbids on the server's event loop.
        worker = app.WorkController(
            pool_cls="solo",
            concurrency=1,
            without_heartbeat=True,
            without_mingle=True,
            without_gossip=True,
            loglevel="WARNING",
        )
        worker.start()

    threading.Thread(target=run_worker, name="embedded-celery-worker", daemon=True).start()
    beat = EmbeddedService(
        app, thread=True, schedule_filename=str(settings.VAR_DIR / "celerybeat-schedule")
    )
    beat.start()
    logger.info("embedded Celery worker and beat started (broker %s)", settings.CELERY_BROKER_URL)
    return True
