"""Ingest throughput: the real pipeline against the database's raw single-row INSERT rate.

Each measurement runs N processes (spawned, each with its own Django and connections)
that warm up, wait for each other, then run for a fixed duration; the rate is the events
(or INSERT transactions) all of them committed, per second.
"""

from __future__ import annotations

import multiprocessing
import time
import uuid
from typing import Any

from bench import env

WARM_UP_EVENTS = 20
SCRATCH_TABLE = "bench_insert_scratch"
EVENT_TEXT = (
    "Hello, I ordered a standing desk two weeks ago and the tracking page has said "
    "'label created' ever since. Could you check with the carrier what is going on?"
)


def _pipeline_worker(run_id: str, process: int, duration: float, ready: Any, out: Any) -> None:
    env.setup_django()
    from conversations.actions.ingest import do_record_inbound
    from conversations.inbound import InboundEvent
    from conversations.models import Inbox

    inbox = Inbox.objects.get(slug="bench-email")

    def record(n: int) -> None:
        key = f"{run_id}-{process}-{n}"
        do_record_inbound(InboundEvent(
            inbox=inbox, channel="email", sender_kind="email",
            sender_value=f"ingest-{key}@bench.example", sender_name=f"Ingest {key}",
            provider_id=f"<{key}@bench.example>", subject="Where is my desk?", text=EVENT_TEXT,
        ))

    for n in range(WARM_UP_EVENTS):  # connections, prepared caches, imports
        record(-1 - n)
    out.put(_timed(record, duration, ready))


def _insert_worker(dsn: str, process: int, duration: float, ready: Any, out: Any) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        def insert(n: int) -> None:
            # autocommit: every INSERT is its own transaction, like one pipeline event.
            conn.execute(f"INSERT INTO {SCRATCH_TABLE} (payload) VALUES (%s)", (EVENT_TEXT,))

        for n in range(WARM_UP_EVENTS):
            insert(n)
        out.put(_timed(insert, duration, ready))


def _timed(step: Any, duration: float, ready: Any) -> int:
    """Wait until every process is ready, then run `step` for `duration` seconds."""
    ready.wait()
    stop_at = time.monotonic() + duration
    count = 0
    while time.monotonic() < stop_at:
        step(count)
        count += 1
    return count


def _measure(worker: Any, first_arg: str, processes: int, duration: float) -> float:
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(processes)
    out = context.Queue()
    workers = [context.Process(target=worker, args=(first_arg, p, duration, ready, out))
               for p in range(processes)]
    for process in workers:
        process.start()
    counts = [out.get(timeout=duration + 120) for _ in workers]
    for process in workers:
        process.join()
    return sum(counts) / duration


def pipeline_rate(processes: int, duration: float) -> float:
    return _measure(_pipeline_worker, uuid.uuid4().hex[:10], processes, duration)


def insert_rate(dsn: str, processes: int, duration: float) -> float:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {SCRATCH_TABLE} (id bigserial PRIMARY KEY, payload text, "
            "created_at timestamptz NOT NULL DEFAULT now())"
        )
        conn.execute(f"TRUNCATE {SCRATCH_TABLE}")
    return _measure(_insert_worker, dsn, processes, duration)


def purge_queued_tasks() -> int:
    """The pipeline's after-commit hooks queued routing tasks no worker consumed."""
    from omnidesk.celery import app

    return int(app.control.purge() or 0)
