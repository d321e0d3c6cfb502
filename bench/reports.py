"""Reports over a year: rollup rows standing for 1,000,000 conversations in 2024
(2,740 a day over 6 channels x 40 agents; durations drawn at random) and the monthly
rows rolled up from them, then the report API and page for the whole year, timed
in-process. The rows are made once and kept (they are in the past: the beat task never
rewrites them).

Alone, on its own database (no ingest or latency data set is made):

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/omnidesk_bench_reports \
        .venv/bin/python bench/reports.py [--requests 30]
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.latency import Latency

YEAR_START = date(2024, 1, 1)
DAYS = 365
CONVERSATIONS = 1_000_000
CHANNELS = ("email", "chat", "sms", "whatsapp", "voice", "api")
AGENTS = 40


def ensure_rollup(setup: dict[str, Any], log: Any) -> None:
    """The year's daily rows (written again if they predate next response times), then
    its monthly rows, as the beat task would roll them up."""
    from reports.actions.rollup import do_roll_up_month
    from reports.models import DailyRollup, RolledMonth
    from reports.monthly import next_month

    year_end = YEAR_START + timedelta(days=DAYS)
    year = DailyRollup.objects.filter(day__gte=YEAR_START, day__lt=year_end)
    if not year.exclude(next_response_seconds=[]).exists():
        year.delete()
        RolledMonth.objects.filter(month__gte=YEAR_START, month__lt=year_end).delete()
        _write_days(setup)
        log(f"rollup rows for {CONVERSATIONS:,} conversations over {DAYS} days written")
    month = YEAR_START
    while month < year_end:
        if not RolledMonth.objects.filter(month=month).exists():
            do_roll_up_month(month)
        month = next_month(month)


def _write_days(setup: dict[str, Any]) -> None:
    from django.contrib.auth.models import User

    from reports.histogram import packed_histogram
    from reports.models import DailyRollup

    rng = random.Random(7)
    teams = [team.pk for team in setup["teams"]]
    agents = [User.objects.get_or_create(username=f"bench-report-{n}")[0].pk
              for n in range(AGENTS)]
    dims = [(c, a) for c in CHANNELS for a in range(AGENTS)]
    batch: list[DailyRollup] = []
    for d in range(DAYS):
        counts = [0] * len(dims)
        for _ in range(CONVERSATIONS // DAYS):
            counts[rng.randrange(len(dims))] += 1
        for (channel, a), n in zip(dims, counts, strict=True):
            hours = [0] * 24
            for _ in range(n):
                hours[rng.randrange(24)] += 1
            first = [rng.randrange(30, 86_400) for _ in range(n)]
            resolution = [rng.randrange(60, 600_000) for _ in range(n)]
            # Half the conversations go back and forth once more.
            nexts = [rng.randrange(30, 20_000) for _ in range(n // 2)]
            calls = n if channel == "voice" else 0
            batch.append(DailyRollup(
                day=YEAR_START + timedelta(days=d), channel=channel,
                team_id=teams[a % len(teams)],
                agent_id=agents[a],
                created=n, created_by_hour=hours, repeat_contacts=n // 20,
                first_response_seconds=first, resolution_seconds=resolution,
                next_response_seconds=nexts,
                first_response_buckets=packed_histogram(first),
                resolution_buckets=packed_histogram(resolution),
                next_response_buckets=packed_histogram(nexts),
                written_handled=n - calls, written_handle_seconds=(n - calls) * 1_800,
                calls_handled=calls, call_handle_seconds=calls * 300,
                first_contact_resolved=n // 2, cross_channel=n // 10, backlog=n))
        if len(batch) >= 10_000:
            DailyRollup.objects.bulk_create(batch)
            batch = []
    DailyRollup.objects.bulk_create(batch)


def run(setup: dict[str, Any], requests: int) -> list[Latency]:
    import time

    from bench.latency import WARM_UP, Latency, _client, _percentiles

    client = _client(setup["admin"])
    year = f"from={YEAR_START.isoformat()}&to={(YEAR_START + timedelta(days=DAYS - 1)).isoformat()}"
    month = f"from={date(2024, 6, 1).isoformat()}&to={date(2024, 6, 28).isoformat()}&channel=chat"
    results = []
    for label, path in (("GET /api/v1/reports/summary/ (a year)",
                         f"/api/v1/reports/summary/?{year}"),
                        ("GET /api/v1/reports/daily/ (a year)", f"/api/v1/reports/daily/?{year}"),
                        ("GET /api/v1/reports/summary/ (28 d, chat)",
                         f"/api/v1/reports/summary/?{month}"),
                        ("GET /api/v1/reports/summary/ (Jan 15-Dec 30)",
                         f"/api/v1/reports/summary/?from=2024-01-15&to={year[-10:]}"),
                        ("GET /reports/ (a year)", f"/reports/?{year}"),
                        ("GET /reports/by/agent/ (a year, htmx part)",
                         f"/reports/by/agent/?{year}")):
        timings = []
        count = max(5, min(requests, 30))
        for n in range(min(WARM_UP, 3) + count):
            began = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - began) * 1000
            assert response.status_code == 200, (path, response.status_code)
            if n >= min(WARM_UP, 3):
                timings.append(elapsed)
        p50, p99 = _percentiles(timings)
        results.append(Latency(label, "admin", len(timings), p50, p99,
                               f"{CONVERSATIONS:,} conversations in the rollup"))
    return results


def main() -> None:
    """This section alone: its database made and migrated, the rows written once, the
    timings printed."""
    import argparse
    import os

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench import env
    from bench.run import log

    parser = argparse.ArgumentParser(description="The reports benchmark alone")
    parser.add_argument("--requests", type=int, default=30, help="requests per figure (5-30)")
    args = parser.parse_args()
    env.configure()
    env.ensure_database()
    env.setup_django()
    from django.core.management import call_command

    from bench import dataset

    call_command("migrate", verbosity=0)
    setup = dataset.ensure_setup()
    ensure_rollup(setup, log)
    load = os.getloadavg()[0]
    print(f"  {'request':<44} {'p50 ms':>8} {'p99 ms':>8}")
    for row in run(setup, args.requests):
        print(f"  {row.endpoint:<44} {row.p50_ms:>8.1f} {row.p99_ms:>8.1f}")
    print(f"load average (1 min) {load:.1f} before, {os.getloadavg()[0]:.1f} after")


if __name__ == "__main__":
    main()
