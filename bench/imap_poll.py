"""IMAP polls against a real Dovecot: N generated customer emails (bench.emails) in a
folder, polled once by `poll_inbox` with each block size (OMNIDESK_IMAP_BATCH_SIZE) in
the same run; prints messages/s, CPU ms per message (this process and its PostgreSQL
backend) and the ratio to block size 1, a transaction and a FETCH per message (the
poller's shape before blocks). Each figure polls an account of its own, filled with
messages of the same shape; every size is first warmed up on 40 others, untimed.

    .venv/bin/python bench/imap_poll.py [--count 300] [--sizes 1,20,100]

Uses the bench database (BENCH_DATABASE_URL) and starts its own Dovecot as the IMAP
tests do (Debian's dovecot-imapd; `make test` installs it).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import env

WARM_UP = 40


def _inbox(server: Any, account: Any) -> Any:
    from bench.emails import SUPPORT
    from conversations.models import Inbox

    slug = f"bench-imap-{uuid.uuid4().hex[:8]}"
    return Inbox.objects.create(
        kind="email", name=slug, slug=slug, address=SUPPORT,
        config={"imap": {"host": "127.0.0.1", "port": server.port, "security": "none",
                         "user": account.user, "folder": "INBOX", "processed": "flag",
                         "poll_interval": 60}},
        secrets={"imap_password": account.password},
    )


def _fill(server: Any, account: Any, count: int) -> None:
    from bench.emails import generate

    client = server.client(account)
    for item in generate(count, tag=f"-{uuid.uuid4().hex[:6]}"):
        client.append("INBOX", item.raw)
    client.logout()


def poll(server: Any, count: int) -> tuple[float, float, float]:
    """(messages/s, process CPU ms, database CPU ms per message) of one poll of `count`."""
    from django.db import connection

    from bench.peers.cpu import CpuMeter
    from channels_email.imap.poller import poll_inbox

    account = server.new_account()
    inbox = _inbox(server, account)
    _fill(server, account, count)
    started = time.perf_counter()
    with CpuMeter(connection) as cpu:
        report = poll_inbox(inbox)
    seconds = time.perf_counter() - started
    if (report.fetched, report.recorded, report.error) != (count, count, ""):
        raise SystemExit(f"poll fell short: {report.summary()}")
    return count / seconds, cpu.process * 1000 / count, (cpu.database or 0.0) * 1000 / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=300, help="messages per poll")
    parser.add_argument("--sizes", default="1,20,100", help="block sizes, the first the reference")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    env.ensure_database(False, env.step)
    env.setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from tests.email_imap.dovecot import start_dovecot

    call_command("migrate", verbosity=0)
    server = start_dovecot()
    try:
        figures = {}
        for size in sizes:
            settings.OMNIDESK_IMAP_BATCH_SIZE = size
            poll(server, WARM_UP)
            figures[size] = poll(server, args.count)
            env.step(f"block size {size}: {figures[size][0]:.1f} messages/s")
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)
    reference = figures[sizes[0]]
    print(f"\nIMAP poll of {args.count} generated emails from Dovecot, one poll per block size")
    print(f"  {'block':>6} {'messages/s':>11} {'CPU ms/msg':>11} {'DB CPU ms':>10} "
          f"{'rate x':>7} {'CPU x':>6}")
    for size, (rate, cpu, db) in figures.items():
        print(f"  {size:>6} {rate:>11.1f} {cpu:>11.2f} {db:>10.2f} "
              f"{rate / reference[0]:>7.2f} {cpu / reference[1]:>6.2f}")


if __name__ == "__main__":
    main()
