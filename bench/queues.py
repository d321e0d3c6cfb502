"""The live queues page (/queues/) at floor size: 20,000 open conversations with SLA
clocks (next to 100,000 resolved ones) and 50,000 SLA outcome rows written today (next
to 100,000 of the previous 30 days), 6 teams and 60 agents.

Everything is written inside one transaction that is rolled back at the end (the
database keeps nothing), with INSERT ... SELECT generate_series and a fixed random seed,
so two runs (or two checkouts of the code) measure the same rows. Measured, in-process
with Django's test client (as bench/latency.py): the page for a lead of two teams and
for an admin, the board fragment, `consoles.queues.board()` alone (as the page runs it,
today's outcome figures read at most every 15 s; and with them read each time), and with
`--explain FILE` each of the page's queries under EXPLAIN (ANALYZE, BUFFERS).

    .venv/bin/python bench/queues.py [--requests 30] [--explain plans.txt]

Uses the bench database (BENCH_DATABASE_URL, bench/env.py), migrated first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import env

OPEN = 20_000
RESOLVED = 100_000
OUTCOMES_TODAY = 50_000
OUTCOMES_BEFORE = 100_000
TEAMS = 6
AGENTS = 60
MARK = "queues bench"


class Rollback(Exception):
    pass


def _populate(cursor: Any) -> None:
    """Customers, conversations (open ones spread over the channels and teams, 60 %
    assigned, 70 % waiting), their clocks (running, at risk, breached, paused, none)
    and outcome rows (first/next response and resolution, 80 % met, 90 % answered)."""
    cursor.execute("SELECT setseed(0.42)")
    cursor.execute("SELECT id FROM agents_team WHERE name LIKE %s ORDER BY id", [f"{MARK}%"])
    teams = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT a.user_id FROM agents_agent a JOIN auth_user u ON u.id = a.user_id "
        "WHERE u.username LIKE 'queues-bench-%%' ORDER BY a.user_id")
    agents = [row[0] for row in cursor.fetchall()]
    total = OPEN + RESOLVED
    cursor.execute(
        """
        INSERT INTO customers_customer (name, attributes, tags, notes, language,
            preferred_channel, created_at, updated_at)
        SELECT %s || ' ' || g, '{}', '[]', '', '', '', now(), now()
        FROM generate_series(1, %s) g
        """,
        [MARK, total],
    )
    cursor.execute(
        """
        INSERT INTO conversations_conversation (customer_id, status, team_id, assignee_id,
            priority, tags, subject, channels, last_inbound_channel, participants,
            reply_token, awaiting_since, awaiting_channel, first_inbound_at,
            last_activity_at, last_message_preview, created_at, updated_at)
        SELECT s.id, CASE WHEN s.n <= %(open)s THEN 'open' ELSE 'resolved' END,
            (%(teams)s::bigint[])[1 + s.n %% %(team_count)s],
            CASE WHEN random() < 0.6 THEN (%(agents)s::int[])[1 + s.n %% %(agent_count)s] END,
            1, '[]', %(mark)s, jsonb_build_array(s.ch), s.ch, '[]',
            md5(random()::text || s.id::text),
            CASE WHEN s.n <= %(open)s AND random() < 0.7
                 THEN now() - random() * interval '3 hours' END,
            s.ch, now() - interval '5 hours', now(), '', now(), now()
        FROM (SELECT id, n, (ARRAY['email', 'chat', 'sms', 'whatsapp', 'voice',
                  'api'])[1 + (n * 7) %% 6] AS ch
              FROM (SELECT id, row_number() OVER (ORDER BY id) n
                    FROM customers_customer WHERE name LIKE %(like)s) numbered) s
        """,
        {"open": OPEN, "teams": teams, "team_count": len(teams), "agents": agents,
         "agent_count": len(agents), "mark": MARK, "like": f"{MARK} %"},
    )
    cursor.execute(
        """
        INSERT INTO routing_conversationsla (conversation_id, target, channel, started_at,
            target_seconds, warn_percent, consumed_seconds, resolution_consumed_seconds,
            segment_started_at, state, due_at, warn_at, next_check_at, updated_at)
        SELECT id, 'first_response', last_inbound_channel, now() - interval '2 hours',
            14400, 75, 0, 0, now() - interval '2 hours', st,
            now() + (random() * 4 - 1) * interval '1 hour', now(),
            now() + interval '1 hour', now()
        FROM (SELECT id, last_inbound_channel, status,
                CASE WHEN status = 'resolved' THEN 'met'
                     ELSE (ARRAY['running', 'running', 'running', 'running', 'running',
                          'running', 'running', 'at_risk', 'breached', 'paused',
                          ''])[1 + floor(random() * 11)::int] END AS st
              FROM conversations_conversation WHERE subject = %s) s
        """,
        [MARK],
    )
    cursor.execute(
        """
        INSERT INTO routing_slaoutcome (conversation_id, target, channel, team_id,
            started_at, due_at, met, achieved_at, breached_at, created_at)
        SELECT cv.id, (ARRAY['first_response', 'next_response', 'resolution'])[1 + g %% 3],
            cv.last_inbound_channel, cv.team_id, o.created - o.wait - interval '1 minute',
            o.created, random() < 0.8,
            CASE WHEN random() < 0.9 THEN o.created - interval '1 minute' END,
            NULL, o.created
        FROM generate_series(1, %(today)s + %(before)s) g
        JOIN (SELECT id, last_inbound_channel, team_id, row_number() OVER (ORDER BY id) - 1 k
              FROM conversations_conversation WHERE subject = %(mark)s) cv
            ON cv.k = g %% %(total)s
        CROSS JOIN LATERAL (SELECT
            CASE WHEN g <= %(today)s
                 THEN date_trunc('day', now()) + random() * (now() - date_trunc('day', now()))
                 ELSE date_trunc('day', now()) - random() * interval '30 days' END AS created,
            random() * interval '2 hours' AS wait) o
        """,
        {"today": OUTCOMES_TODAY, "before": OUTCOMES_BEFORE, "mark": MARK,
         "total": total},
    )
    for table in ("conversations_conversation", "routing_conversationsla",
                  "routing_slaoutcome", "customers_customer"):
        cursor.execute(f"ANALYZE {table}")


def _people() -> tuple[Any, Any]:
    """The bench's teams, agents (a third online), a lead of the first two teams and
    an admin: made once, kept (a few rows)."""
    from django.contrib.auth.models import User

    from agents.models import Agent, Presence, Role, Team

    teams = [Team.objects.get_or_create(name=f"{MARK} {n}", defaults={
        "slug": f"queues-bench-{n}"})[0] for n in range(TEAMS)]
    for n in range(AGENTS):
        user, made = User.objects.get_or_create(username=f"queues-bench-{n}", defaults={
            "first_name": f"Agent {n}"})
        if made:
            agent = Agent.objects.create(user=user, role=Role.AGENT, presence=(
                Presence.ONLINE if n % 3 == 0 else Presence.OFFLINE))
            agent.teams.set([teams[n % TEAMS]])
    lead, made = User.objects.get_or_create(username="queues-bench-lead")
    if made:
        Agent.objects.create(user=lead, role=Role.LEAD).teams.set(teams[:2])
    admin, made = User.objects.get_or_create(username="queues-bench-admin")
    if made:
        Agent.objects.create(user=admin, role=Role.ADMIN)
    return lead, admin


def _timed(call: Any, requests: int) -> tuple[float, float, float]:
    """p50 and p99 wall time, and p50 CPU time of this process (Django, templates and
    the driver, not PostgreSQL: a figure that a loaded machine disturbs less)."""
    for _ in range(3):
        call()
    times, cpu = [], []
    for _ in range(requests):
        began, began_cpu = time.perf_counter(), time.process_time()
        call()
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    return (statistics.median(times), statistics.quantiles(times, n=100)[98],
            statistics.median(cpu))


def _get(client: Any, path: str) -> Any:
    def call() -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    return call


def _explain(client: Any, path: str, out: Path) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    lines = []
    with connection.cursor() as cursor:
        for n, query in enumerate(captured.captured_queries, 1):
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = [row[0] for row in cursor.fetchall()]
            lines += [f"-- query {n} ({query['time']} s as run)", sql, *plan, ""]
    out.write_text("\n".join(lines))


def _cold(team_ids: tuple[int, ...]) -> None:
    """board() with today's outcome figures read from the database, not the cache."""
    from django.core.cache import cache
    from django.utils import timezone

    from consoles import queues
    from reports.rollup import day_bounds, local_day

    key_of = getattr(queues, "_outcomes_key", None)
    if key_of is not None:
        cache.delete(key_of(team_ids, day_bounds(local_day(timezone.now()))[0]))
    queues.board(team_ids)


def run(requests: int = 30, explain: Path | None = None, log: Any = print) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.test import Client

    from consoles.queues import board

    lead, admin = _people()
    clients = {}
    for name, user in (("lead", lead), ("admin", admin)):
        clients[name] = Client()
        clients[name].force_login(user)
    figures: dict[str, Any] = {"load_before": os.getloadavg()[0]}
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                began = time.perf_counter()
                _populate(cursor)
                figures["populate_s"] = time.perf_counter() - began
            team_ids = tuple(lead.agent.teams.values_list("pk", flat=True))
            if explain is not None:
                _explain(clients["lead"], "/queues/", explain)
            for label, call in (
                ("page, lead of 2 teams", _get(clients["lead"], "/queues/")),
                ("page, admin", _get(clients["admin"], "/queues/")),
                ("board fragment, lead", _get(clients["lead"], "/queues/board/")),
                ("board(), lead", lambda: board(team_ids)),
                ("board(), admin", lambda: board(None)),
                ("board(), lead, outcomes read", lambda: _cold(team_ids)),
            ):
                p50, p99, cpu = _timed(call, requests)
                figures[label] = {"p50_ms": p50, "p99_ms": p99, "cpu_p50_ms": cpu}
                log(f"queues: {label:<30} p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  "
                    f"CPU p50 {cpu:5.1f} ms")
            raise Rollback
    except Rollback:
        pass
    figures["load_after"] = os.getloadavg()[0]
    log(f"queues: {OPEN:,} open conversations, {OUTCOMES_TODAY:,} outcomes today; load "
        f"{figures['load_before']:.2f} before, {figures['load_after']:.2f} after")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--explain", type=Path, help="write each query's EXPLAIN ANALYZE here")
    args = parser.parse_args()
    env.setup_django()
    from django.core.management import call_command


    env.ensure_database()
    call_command("migrate", verbosity=0)
    run(args.requests, args.explain)


if __name__ == "__main__":
    main()
