"""`make bench-peers`: omnidesk and django-helpdesk 2.6.1 side by side, in one run, on
the same PostgreSQL, printed with the ratios (nothing asserted; not in CI).

1. Ingest: the same N generated RFC 822 customer emails (bench.emails, in threads),
   one process each: our `receive_raw_emails` in batches of --batch (what
   `ingest_email` calls for the files it is given) against django-helpdesk's
   `extract_email_metadata` (what its `get_email` calls per fetched message); and ours
   one message at a time (`receive_raw_email`, what a webhook calls), on another N of
   the same shape. Each side first ingests the same 50 other emails, untimed (its
   steady rate, not its first connections and statements). Threading is scored for each.
2. List: django-helpdesk's ticket list (the datatables endpoint its ticket page loads,
   50 rows) and its REST ticket list at --tickets rows, against our
   `GET /api/v1/conversations/` (50 rows) on the bench database.

django-helpdesk runs in its own venv (var/peers-venv, made with uv from PyPI) and its
own database (peers_helpdesk, recreated each run).

    .venv/bin/python bench/peers/run.py [--count 1000] [--tickets 20000] [--requests 50]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench import env  # noqa: E402 - after the sys.path line above

HERE = Path(__file__).resolve().parent
HELPDESK = "django-helpdesk==2.6.1"
WARM_UP = 50  # emails each side ingests first, untimed
VENV = Path(os.environ.get("BENCH_PEERS_VENV", str(ROOT / "var" / "peers-venv")))
PEERS_DATABASE_URL = os.environ.get(
    "PEERS_DATABASE_URL", env.DATABASE_URL.rsplit("/", 1)[0] + "/peers_helpdesk"
)


log = env.step


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    if python.exists():
        return python
    uv = shutil.which("uv") or str(ROOT / ".venv" / "bin" / "uv")
    subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(VENV)], check=True)
    subprocess.run([uv, "pip", "install", "-q", "--python", str(python), HELPDESK,
                    "psycopg[binary]"], check=True)
    log(f"made {VENV} with {HELPDESK}")
    return python


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="generated emails")
    parser.add_argument("--tickets", type=int, default=20_000,
                        help="django-helpdesk's rows for its list")
    parser.add_argument("--requests", type=int, default=50, help="list requests each")
    parser.add_argument("--batch", type=int, default=50,
                        help="our messages received together (ingest_email's batch)")
    args = parser.parse_args()
    began = time.monotonic()
    load_before = os.getloadavg()[0]
    print(f"side by side: omnidesk ({env.DATABASE_URL}) and {HELPDESK} ({PEERS_DATABASE_URL})")
    python = ensure_venv()
    recreate_database(PEERS_DATABASE_URL)
    env.ensure_database(False, log)

    # collectstatic is not part of the benchmark; WhiteNoise's notice about it is noise.
    warnings.filterwarnings("ignore", message="No directory at")
    env.setup_django()
    from django.core.management import call_command

    from bench import dataset, latency
    from bench.emails import generate, true_threads
    from bench.threading_check import astray, run

    call_command("migrate", verbosity=0)
    setup = dataset.ensure_setup()
    dataset.generate(setup, log)
    emails = generate(args.count, tag=f"-{uuid.uuid4().hex[:6]}")
    # Both sides first take the same WARM_UP emails of their own threads, untimed: the
    # figures are each process's steady rate, not its first connections and statements.
    warm_up = generate(WARM_UP, tag=f"-warm-{uuid.uuid4().hex[:6]}")

    run(WARM_UP, warm_up, batch=args.batch)
    ours = run(args.count, emails, batch=args.batch)
    log(f"omnidesk: {ours['messages']} emails in {ours['seconds']:.1f} s, "
        f"{args.batch} at a time")
    run(WARM_UP, generate(WARM_UP, tag=f"-warm-{uuid.uuid4().hex[:6]}"))
    single = run(args.count, generate(args.count, tag=f"-{uuid.uuid4().hex[:6]}"))
    log(f"omnidesk: {single['messages']} emails in {single['seconds']:.1f} s, one by one")

    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as warm:
        for n, item in enumerate(emails):
            (Path(folder) / f"{n:05d}.eml").write_bytes(item.raw)
        for n, item in enumerate(warm_up):
            (Path(warm) / f"{n:05d}.eml").write_bytes(item.raw)
        done = subprocess.run(
            [str(python), str(HERE / "helpdesk_side.py"), "--emails", folder,
             "--warm-up", warm,
             "--tickets", str(args.tickets), "--requests", str(args.requests)],
            env={**os.environ, "PEERS_DATABASE_URL": PEERS_DATABASE_URL},
            capture_output=True, text=True, check=False, timeout=3600,
        )
    if done.returncode != 0:
        raise SystemExit(f"django-helpdesk side failed:\n{done.stderr[-3000:]}")
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    their_ticket_of = {emails[int(stem)].message_id: pk
                       for stem, pk in theirs.pop("ticket_to_message").items()}
    their_misses = astray(emails, their_ticket_of)
    log(f"django-helpdesk: {theirs['messages']} emails in {theirs['ingest_seconds']:.1f} s")

    from django.contrib.auth.models import User

    from conversations.models import Conversation

    client = latency._client(User.objects.get(username="bench-admin"))
    timings, _note = latency.measure(client, lambda n: "/api/v1/conversations/", args.requests)
    our_p50, our_p99 = latency._percentiles(timings)
    our_rows = Conversation.objects.count()

    results = {
        "emails": args.count, "threads": true_threads(emails),
        "batch": args.batch,
        "ours": {**_ingest(ours, args.count), "list_rows": our_rows,
                 "list_p50_ms": our_p50, "list_p99_ms": our_p99},
        "ours_one_by_one": _ingest(single, args.count),
        "theirs": {"per_second": theirs["messages"] / theirs["ingest_seconds"],
                   "cpu_ms": _ms(theirs["ingest_cpu_seconds"], theirs["messages"]),
                   "db_cpu_ms": _ms(theirs["ingest_db_cpu_seconds"], theirs["messages"]),
                   "tickets": theirs["tickets_from_emails"], "astray": len(their_misses),
                   "list_rows": theirs["rows"], "list": theirs["list"], "api": theirs["api"]},
        "load_before": load_before, "load_after": os.getloadavg()[0],
        "seconds": time.monotonic() - began,
    }
    _print(results, args)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "peers.json").write_text(json.dumps(results, indent=2))


def _ingest(figures: dict[str, Any], count: int) -> dict[str, Any]:
    return {"per_second": figures["per_second"], "conversations": figures["conversations"],
            "cpu_ms": _ms(figures["cpu_seconds"], count),
            "db_cpu_ms": _ms(figures["db_cpu_seconds"], count),
            "astray": len(figures["misses"])}


def _ms(seconds: float | None, messages: int) -> float | None:
    return None if seconds is None else seconds * 1000 / messages


def _cpu(figure: float | None) -> str:
    return "n/a" if figure is None else f"{figure:.2f}"


def _with_db(side: dict[str, Any]) -> float:
    return float(side["cpu_ms"] or 0) + float(side["db_cpu_ms"] or 0)


def _print(results: dict[str, Any], args: argparse.Namespace) -> None:
    ours, theirs = results["ours"], results["theirs"]
    print()
    print(f"Ingest: {results['emails']} generated emails in {results['threads']} threads, "
          "one process each")
    print(f"  {'':<24} {'emails/s':>9} {'CPU ms/email':>13} {'its DB CPU ms':>14} "
          f"{'conversations':>14} {'replies astray':>15}")
    single = results["ours_one_by_one"]
    rows = ((f"omnidesk, {results['batch']} at once", ours, ours["conversations"]),
            ("omnidesk, one by one", single, single["conversations"]),
            ("django-helpdesk", theirs, theirs["tickets"]))
    for label, side, made in rows:
        print(f"  {label:<24} {side['per_second']:>9.1f} {_cpu(side['cpu_ms']):>13} "
              f"{_cpu(side['db_cpu_ms']):>14} {made:>14} {side['astray']:>15}")
    for label, side in ((f"{results['batch']} at once", ours), ("one by one", single)):
        print(f"  ratio (ours {label} / theirs): "
              f"{side['per_second'] / theirs['per_second']:.1f}x emails/s"
              + (f", {theirs['cpu_ms'] / side['cpu_ms']:.1f}x less Python CPU per email"
                 if side["cpu_ms"] and theirs["cpu_ms"] else "")
              + (f", {_with_db(theirs) / _with_db(side):.1f}x less CPU with the database's"
                 if None not in (side["db_cpu_ms"], theirs["db_cpu_ms"]) and side["cpu_ms"]
                 else ""))
    print()
    print(f"List, 50 rows a page, {args.requests} requests after warm-up (in-process client)")
    print(f"  {'':<44} {'rows':>8} {'p50 ms':>9} {'p99 ms':>9}")
    print(f"  {'omnidesk GET /api/v1/conversations/':<44} {ours['list_rows']:>8,} "
          f"{ours['list_p50_ms']:>9.1f} {ours['list_p99_ms']:>9.1f}")
    for label, figure in (("django-helpdesk ticket list (datatables)", theirs["list"]),
                          ("django-helpdesk GET /api/tickets/ (1 request)", theirs["api"])):
        if "error" in figure:
            print(f"  {label:<44} HTTP {figure['error']}")
            continue
        print(f"  {label:<44} {theirs['list_rows']:>8,} {figure['p50_ms']:>9.1f} "
              f"{figure['p99_ms']:>9.1f}")
    if "p50_ms" in theirs["list"]:
        print(f"  ratio (theirs / ours, p50): list "
              f"{theirs['list']['p50_ms'] / ours['list_p50_ms']:.0f}x"
              + (f", API {theirs['api']['p50_ms'] / ours['list_p50_ms']:.0f}x"
                 if "p50_ms" in theirs["api"] else ""))
    print()
    print(f"load average (1 min) {results['load_before']:.1f} before, "
          f"{results['load_after']:.1f} after; total {results['seconds']:.0f} s; "
          "figures in bench/results/peers.json")


if __name__ == "__main__":
    main()
