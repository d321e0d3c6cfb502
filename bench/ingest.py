"""Ingest throughput: the real pipeline against the database's raw single-row INSERT rate.

Each measurement runs N processes (spawned, each with its own Django and connections)
that warm up, wait for each other, then run for a fixed duration; the rate is the events
(or INSERT transactions) all of them committed, per second.
"""

from __future__ import annotations

import multiprocessing
import time
import uuid
from dataclasses import dataclass
from typing import Any

from bench import env

WARM_UP_EVENTS = 20
SCRATCH_TABLE = "bench_insert_scratch"
EVENT_TEXT = (
    "Hello, I ordered a standing desk two weeks ago and the tracking page has said "
    "'label created' ever since. Could you check with the carrier what is going on?"
)


# Known senders: each process writes as its own few generated customers (so two
# processes never wait on one customer's lock); after the warm-up each has an open
# conversation that every later event joins, the common case of a busy inbox.
KNOWN_SENDERS_PER_PROCESS = 50


def _pipeline_worker(spec: str, process: int, duration: float, ready: Any, out: Any) -> None:
    run_id, senders = spec.split(":")
    env.setup_django()
    from conversations.actions.ingest import do_record_inbound
    from conversations.inbound import InboundEvent
    from conversations.models import Inbox

    inbox = Inbox.objects.get(slug="bench-email")

    def sender(n: int, key: str) -> str:
        if senders == "new":
            return f"ingest-{key}@bench.example"
        block = process + (10 if senders == "assigned" else 0)  # customers of their own
        first = 1 + block * KNOWN_SENDERS_PER_PROCESS
        return f"customer{first + n % KNOWN_SENDERS_PER_PROCESS}@bench.example"

    def record(n: int) -> None:
        key = f"{run_id}-{process}-{n}"
        do_record_inbound(InboundEvent(
            inbox=inbox, channel="email", sender_kind="email",
            sender_value=sender(n, key), sender_name=f"Ingest {key}",
            provider_id=f"<{key}@bench.example>", subject="Where is my desk?", text=EVENT_TEXT,
        ))

    warm_up = WARM_UP_EVENTS if senders == "new" else KNOWN_SENDERS_PER_PROCESS
    for n in range(warm_up):  # connections, prepared caches, imports; known senders' threads
        record(-warm_up + n)
    if senders != "new":
        # "known": waiting for an agent; "assigned": an agent has them (a busy inbox's
        # usual follow-up). Set here, since the generated data assigns half at random.
        from django.contrib.auth.models import User

        from conversations.models import Conversation

        agent = User.objects.get(username="bench-agent") if senders == "assigned" else None
        Conversation.objects.filter(
            customer__identities__value__in=[sender(n, "") for n in range(warm_up)],
            status="open",
        ).update(assignee=agent)
    statements = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements[0] += 1
        return execute(sql, params, many, context)

    from django.db import connection

    cpu_before = time.process_time()
    with connection.execute_wrapper(count):
        events = _timed(record, duration, ready)
    # This process's CPU time (Python, Django, psycopg, kombu), which the machine's load
    # barely moves; BEGIN and COMMIT are not statements Django executes, so not counted.
    out.put((events, time.process_time() - cpu_before, statements[0]))


def _insert_worker(dsn: str, process: int, duration: float, ready: Any, out: Any) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        def insert(n: int) -> None:
            # autocommit: every INSERT is its own transaction, like one pipeline event.
            conn.execute(f"INSERT INTO {SCRATCH_TABLE} (payload) VALUES (%s)", (EVENT_TEXT,))

        for n in range(WARM_UP_EVENTS):
            insert(n)
        out.put((_timed(insert, duration, ready), 0.0, 0))


def _timed(step: Any, duration: float, ready: Any) -> int:
    """Wait until every process is ready, then run `step` for `duration` seconds."""
    ready.wait()
    stop_at = time.monotonic() + duration
    count = 0
    while time.monotonic() < stop_at:
        step(count)
        count += 1
    return count


@dataclass(frozen=True)
class Rate:
    per_second: float
    cpu_ms_per_event: float  # in the benchmark's own processes (0 for raw INSERTs)
    statements_per_event: float  # executed through Django (0 for raw INSERTs)


def _measure(worker: Any, first_arg: str, processes: int, duration: float) -> Rate:
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(processes)
    out = context.Queue()
    workers = [context.Process(target=worker, args=(first_arg, p, duration, ready, out))
               for p in range(processes)]
    for process in workers:
        process.start()
    results = [out.get(timeout=duration + 120) for _ in workers]
    for process in workers:
        process.join()
    events = sum(r[0] for r in results)
    return Rate(events / duration, 1000 * sum(r[1] for r in results) / max(events, 1),
                sum(r[2] for r in results) / max(events, 1))


def pipeline_rate(processes: int, duration: float, senders: str = "new") -> Rate:
    """Events/s; `senders` "new" (a new customer and conversation per event), "known"
    (a generated customer's open conversation, waiting for an agent: sender locked,
    conversation updated, routing job) or "assigned" (the same conversations, assigned
    to an agent: routing has nothing to do)."""
    return _measure(_pipeline_worker, f"{uuid.uuid4().hex[:10]}:{senders}", processes, duration)


def insert_rate(dsn: str, processes: int, duration: float) -> float:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {SCRATCH_TABLE} (id bigserial PRIMARY KEY, payload text, "
            "created_at timestamptz NOT NULL DEFAULT now())"
        )
        conn.execute(f"TRUNCATE {SCRATCH_TABLE}")
    return _measure(_insert_worker, dsn, processes, duration).per_second


def purge_queued_tasks() -> int:
    """The routing tasks the pipeline's events queued, which no worker consumed here: in
    the broker, and their rows in the job outbox (the relay would publish them again,
    and a later benchmark's workers would spend minutes on them)."""
    from jobs.models import Job
    from omnidesk.celery import app

    purged = int(app.control.purge() or 0)
    deleted, _ = Job.objects.all().delete()
    return purged + deleted
