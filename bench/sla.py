"""SLA timer sweep cost: open clocks (100,000 by default), 1,000 of them due.

Everything is written inside one transaction that is rolled back at the end (the bench
database keeps nothing): synthetic customers, conversations and their clocks with
INSERT ... SELECT generate_series. Measured:

- the sweep's selection of due clocks (the partial index on next_check_at), p50/p99 over
  repeated runs, at 10,000 and at 100,000 open clocks: flat if the index does its work;
- the sweep's claim of 1,000 due clocks alone (one UPDATE ... RETURNING that selects,
  locks, moves and reschedules them);
- one full sweep of 1,000 due clocks (the claim, then the outcome rows, timeline events
  and realtime event rows in bulk; the socket sends happen on commit, not measured).

    .venv/bin/python bench/sla.py [--open 100000] [--due 1000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import env


class Rollback(Exception):
    pass


def _populate(cursor: Any, count: int, due: int, team_id: int | None) -> None:
    cursor.execute(
        """
        INSERT INTO customers_customer (name, attributes, tags, notes, language,
            preferred_channel, created_at, updated_at)
        SELECT 'SLA bench ' || g, '{}', '[]', '', '', '', now(), now()
        FROM generate_series(1, %s) g
        """,
        [count],
    )
    cursor.execute(
        """
        INSERT INTO conversations_conversation (customer_id, status, team_id, priority, tags,
            subject, channels, last_inbound_channel, participants, reply_token,
            awaiting_since, awaiting_channel, first_inbound_at, first_response_due_at,
            last_activity_at, last_message_preview, created_at, updated_at)
        SELECT c.id, 'open', %s, 1, '[]', 'SLA bench', '["email"]', 'email', '[]',
            md5(random()::text || c.id::text), now() - interval '5 hours', 'email',
            now() - interval '5 hours', now() + interval '1 hour', now(), '', now(), now()
        FROM customers_customer c WHERE c.name LIKE 'SLA bench %%' AND NOT EXISTS (
            SELECT 1 FROM conversations_conversation v WHERE v.customer_id = c.id)
        """,
        [team_id],
    )
    cursor.execute(
        """
        INSERT INTO routing_conversationsla (conversation_id, target, channel, started_at,
            target_seconds, warn_percent, consumed_seconds, resolution_consumed_seconds,
            segment_started_at, state,
            due_at, warn_at, at_risk_at, next_check_at, updated_at)
        SELECT id, 'first_response', 'email', now() - interval '5 hours', 14400, 75, 0, 0,
            now() - interval '5 hours', 'at_risk',
            CASE WHEN rn <= %s THEN now() - interval '1 hour' ELSE now() + interval '1 hour' END,
            now() - interval '2 hours', now() - interval '2 hours',
            CASE WHEN rn <= %s THEN now() - interval '1 hour' ELSE now() + interval '1 hour' END,
            now()
        FROM (SELECT cc.id, row_number() OVER (ORDER BY cc.id) rn
              FROM conversations_conversation cc
              WHERE cc.subject = 'SLA bench' AND NOT EXISTS (
                  SELECT 1 FROM routing_conversationsla k WHERE k.conversation_id = cc.id)) s
        """,
        [due, due],
    )
    cursor.execute("ANALYZE routing_conversationsla")


def _selection_ms(repeats: int) -> tuple[float, float]:
    from django.utils import timezone

    from routing.actions.timers import due_clock_ids

    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        due_clock_ids(timezone.now(), 1000)
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def _claim_ms(due: int) -> float:
    """The sweep's claim alone (one statement: select, lock, state change and next
    check of the due clocks), in a savepoint that is rolled back so the full sweep
    still finds them."""
    from django.db import connection, transaction
    from django.utils import timezone

    from routing.actions.timers import _CLAIM

    try:
        with transaction.atomic():
            began = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(_CLAIM, {"now": timezone.now(), "limit": due})
                ids = [row[0] for row in cursor.fetchall()]
            spent = (time.perf_counter() - began) * 1000 * (1000 / max(len(ids), 1))
            raise Rollback
    except Rollback:
        pass
    return spent


def run(open_clocks: int = 100_000, due: int = 1000, log: Any = print) -> dict[str, float]:
    from django.db import connection, transaction

    from agents.models import Team
    from routing.actions.timers import do_sweep_sla
    from routing.models import ConversationSLA

    team = Team.objects.order_by("id").first()
    figures: dict[str, float] = {}
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                small = min(10_000, open_clocks)
                _populate(cursor, small, due, team.pk if team else None)
                figures["select_ms_p50_small"], figures["select_ms_p99_small"] = (
                    _selection_ms(200))
                figures["open_small"] = ConversationSLA.objects.count()
                _populate(cursor, open_clocks - small, 0, team.pk if team else None)
                figures["open_large"] = ConversationSLA.objects.count()
                figures["select_ms_p50_large"], figures["select_ms_p99_large"] = (
                    _selection_ms(200))
            figures["claim_ms_per_1000_due"] = _claim_ms(due)
            began = time.perf_counter()
            handled = do_sweep_sla(limit=due)
            figures["sweep_ms_per_1000_due"] = (time.perf_counter() - began) * 1000 * (
                1000 / max(handled, 1))
            figures["handled"] = handled
            raise Rollback
    except Rollback:
        pass
    log(f"SLA sweep: select due clocks p50 {figures['select_ms_p50_small']:.2f} ms at "
        f"{figures['open_small']:,.0f} open, {figures['select_ms_p50_large']:.2f} ms at "
        f"{figures['open_large']:,.0f}; claim {figures['claim_ms_per_1000_due']:,.1f} ms, "
        f"full sweep {figures['sweep_ms_per_1000_due']:,.0f} ms "
        f"per 1,000 due ({figures['handled']:.0f} breached)")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1000)
    args = parser.parse_args()
    env.setup_django()
    from django.core.management import call_command


    env.ensure_database()
    call_command("migrate", verbosity=0)
    run(args.open, args.due)


if __name__ == "__main__":
    main()
