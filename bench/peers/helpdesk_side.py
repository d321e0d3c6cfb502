"""The django-helpdesk side of the side-by-side run, run by bench/peers/run.py in the
peers venv (never omnidesk's): ingest the generated .eml files one by one with
`helpdesk.email.extract_email_metadata` (what its `get_email` command calls per fetched
message, without the mailbox round trip), then time its staff ticket list (the
datatables endpoint its ticket page loads, 50 rows) and its REST ticket list at the
asked row count. Prints one JSON line."""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "helpdesk_settings"  # never omnidesk's


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--emails", required=True, help="directory of NNNNN.eml files")
    parser.add_argument("--warm-up", default="", help="the same, ingested first, untimed")
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--api-requests", type=int, default=1)
    args = parser.parse_args()

    import django

    django.setup()
    from cpu import CpuMeter
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone
    from helpdesk.email import extract_email_metadata
    from helpdesk.models import Queue, Ticket
    from helpdesk.query import query_to_base64

    call_command("migrate", verbosity=0)
    queue, _ = Queue.objects.get_or_create(
        slug="bench", defaults={"title": "Bench", "email_address": "support@bench.example"})
    logger = logging.getLogger("bench.peers")
    if args.warm_up:
        for file in sorted(Path(args.warm_up).glob("*.eml")):
            extract_email_metadata(file.read_bytes().decode("utf-8", "replace"), queue, logger)
    files = sorted(Path(args.emails).glob("*.eml"))
    tickets: dict[str, int] = {}
    started = time.perf_counter()
    with CpuMeter(connection) as cpu:
        for file in files:
            ticket = extract_email_metadata(file.read_bytes().decode("utf-8", "replace"),
                                            queue, logger)
            if ticket is not None:
                tickets[file.stem] = ticket.pk
    ingest_seconds = time.perf_counter() - started

    missing = args.tickets - Ticket.objects.count()
    if missing > 0:
        now = timezone.now()
        Ticket.objects.bulk_create(
            [Ticket(title=f"Question {n}", queue=queue, created=now, modified=now,
                    submitter_email=f"filler{n}@bench.example", status=1, priority=3,
                    description="Filler ticket for the list at equal row counts.")
             for n in range(missing)], batch_size=5000)
    user, _created = User.objects.get_or_create(username="bench-admin",
                                               defaults={"is_staff": True,
                                                         "is_superuser": True})
    client = Client()
    client.force_login(user)
    query = query_to_base64({"filtering": {"status__in": [1, 2]}, "sorting": "created",
                             "search_string": "", "sortreverse": False})
    datatables = f"/helpdesk/datatables_ticket_list/{query}?draw=1&start=0&length=50"
    out = {
        "messages": len(files), "ingest_seconds": ingest_seconds,
        "ingest_cpu_seconds": cpu.process, "ingest_db_cpu_seconds": cpu.database,
        "tickets_from_emails": len(set(tickets.values())), "ticket_to_message": tickets,
        "rows": Ticket.objects.count(),
        "list": _timed(client, datatables, args.requests, warm_up=2),
        # Unpaginated: every ticket, each serialized; one cold request is telling enough.
        "api": _timed(client, "/helpdesk/api/tickets/", args.api_requests, warm_up=0),
    }
    print(json.dumps(out))


def _timed(client: object, path: str, requests: int, *, warm_up: int) -> dict[str, float]:
    timings = []
    for n in range(requests + warm_up):
        began = time.perf_counter()
        response = client.get(path)  # type: ignore[attr-defined]
        elapsed = (time.perf_counter() - began) * 1000
        if response.status_code != 200:
            return {"error": response.status_code}
        if n >= warm_up:
            timings.append(elapsed)
    timings.sort()
    return {"requests": len(timings), "p50_ms": statistics.median(timings),
            "p99_ms": timings[min(len(timings) - 1, int(len(timings) * 0.99))]}


if __name__ == "__main__":
    main()
