"""The email webhooks' burst: N generated customer emails (bench.emails) POSTed to
/anymail/sendgrid/inbound/ (SendGrid's raw MIME post, the webhook secret as basic auth)
by Django's test client in this process, first with OMNIDESK_SPOOL off (each request
records its message) and then on (each request stores the message and one spool row;
this process's drain thread records them in batches meanwhile). Prints, for each: the
POSTs answered per second, the messages recorded per second from the first POST until
the last is recorded, and this process's CPU per message (every thread: the drain's
too); threading is checked as bench/threading_check.py does.

    .venv/bin/python bench/email_webhook.py [--count 1000]
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import env

SECRET = "bench-anymail:bench-secret"  # noqa: S105  (set for this process only)
URL = "/anymail/sendgrid/inbound/"
WARM_UP = 50


def _fields(raw: bytes) -> dict[str, str]:
    from bench.emails import SUPPORT

    return {"email": raw.decode("utf-8", "surrogateescape"), "to": SUPPORT,
            "envelope": json.dumps({"to": [SUPPORT], "from": "customer@example.com"}),
            "charsets": "{}"}


def burst(count: int, *, spooled: bool) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from bench.emails import generate
    from bench.peers.cpu import CpuMeter
    from bench.threading_check import astray
    from conversations.models import Interaction
    from spool.models import SpooledEvent

    settings.OMNIDESK_SPOOL = spooled
    client = Client()
    auth = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(SECRET.encode()).decode()}
    warm, emails = (generate(n, tag=f"-{uuid.uuid4().hex[:6]}") for n in (WARM_UP, count))
    for item in warm:
        client.post(URL, data=_fields(item.raw), **auth)
    _until_drained(SpooledEvent)
    started = time.perf_counter()
    with CpuMeter(connection) as cpu:
        for item in emails:
            response = client.post(URL, data=_fields(item.raw), **auth)
            if response.status_code != 200:
                raise SystemExit(f"webhook answered {response.status_code}")
        answered = time.perf_counter() - started
        _until_drained(SpooledEvent)
    recorded = time.perf_counter() - started
    conversation_of = dict(Interaction.objects.filter(
        provider_id__in=[item.message_id for item in emails]
    ).values_list("provider_id", "conversation_id"))
    if len(conversation_of) != count:
        raise SystemExit(f"{len(conversation_of)} of {count} recorded")
    return {"spooled": spooled, "answered_per_second": count / answered,
            "recorded_per_second": count / recorded,
            "cpu_ms": cpu.process * 1000 / count,
            "conversations": len(set(conversation_of.values())),
            "astray": len(astray(emails, conversation_of))}


def _until_drained(events: Any, timeout: float = 600.0) -> None:
    deadline = time.monotonic() + timeout
    while events.objects.exists():
        if time.monotonic() > deadline:
            raise SystemExit("the spool was not drained")
        time.sleep(0.005)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    env.ensure_database(False, env.step)
    env.setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from bench.threading_check import ensure_inbox

    call_command("migrate", verbosity=0)
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}
    ensure_inbox()
    rows = [burst(args.count, spooled=False), burst(args.count, spooled=True)]
    direct = rows[0]
    print(f"\nEmail webhooks: {args.count} generated emails POSTed to {URL} in one process")
    print(f"  {'spool':<6} {'answered/s':>11} {'recorded/s':>11} {'CPU ms':>7} "
          f"{'conversations':>14} {'astray':>7} {'recorded x':>11}")
    for row in rows:
        print(f"  {'on' if row['spooled'] else 'off':<6} {row['answered_per_second']:>11.1f} "
              f"{row['recorded_per_second']:>11.1f} {row['cpu_ms']:>7.2f} "
              f"{row['conversations']:>14,} {row['astray']:>7} "
              f"{row['recorded_per_second'] / direct['recorded_per_second']:>11.2f}")


if __name__ == "__main__":
    main()
