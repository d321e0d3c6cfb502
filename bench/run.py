"""`make bench`: omnidesk's figures on PostgreSQL, printed (no times are asserted).

1. Ingest throughput through the real pipeline (do_record_inbound, a new customer per
   event, realtime events and routing tasks after commit, as in production) with 1 and 2
   processes, next to the raw single-row INSERT rate of the same database in the same run.
2. p50/p99 latency of the conversation list and the customer timeline API at 100,000
   customers and 1,000,000 interactions (generated with COPY, kept between runs).
3. Live chat: visitor socket -> agent socket and agent reply -> visitor socket latency,
   memory per idle visitor socket (bench/chat.py; `--only-chat` for these alone).
4. The live queues page at 20,000 open conversations and 50,000 SLA outcomes today
   (bench/queues.py, also runnable alone), after the reports and the SLA sweep.

    .venv/bin/python bench/run.py [--regen] [--duration 8] [--requests 200]

Uses its own database (BENCH_DATABASE_URL, default omnidesk_bench on the local
PostgreSQL) and Redis db (BENCH_REDIS_URL, default db 15), never DATABASE_URL/REDIS_URL.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import env

log = env.step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--regen", action="store_true", help="drop and rebuild the bench database")
    parser.add_argument("--duration", type=float, default=8.0,
                        help="seconds per ingest measurement")
    parser.add_argument("--requests", type=int, default=200, help="requests per latency figure")
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--spool-events", type=int, default=2000,
                        help="SMS per process in the spool's in-process figures")
    parser.add_argument("--skip-webhook", action="store_true",
                        help="skip ingest through the API webhook over HTTP (uvicorn)")
    parser.add_argument("--skip-workspace", action="store_true",
                        help="skip the workspace pages and the socket-to-row timing")
    parser.add_argument("--skip-reports", action="store_true",
                        help="skip the reports over a year of rollup rows")
    parser.add_argument("--skip-sla", action="store_true",
                        help="skip the SLA timer sweep cost (bench/sla.py)")
    parser.add_argument("--skip-queues", action="store_true",
                        help="skip the live queues page at floor size (bench/queues.py)")
    parser.add_argument("--samples", type=int, default=40,
                        help="socket frames timed into the open inbox")
    parser.add_argument("--skip-chat", action="store_true",
                        help="skip the chat socket latencies and memory")
    parser.add_argument("--chat-samples", type=int, default=200,
                        help="messages timed each way through the chat sockets")
    parser.add_argument("--only-chat", action="store_true",
                        help="the chat figures alone (no large data set is generated)")
    args = parser.parse_args()

    began = time.monotonic()
    # collectstatic is not part of the benchmark; WhiteNoise's notice about it is noise.
    warnings.filterwarnings("ignore", message="No directory at")
    print(f"omnidesk benchmarks: {env.DATABASE_URL}, {os.cpu_count()} CPUs", flush=True)
    env.configure()
    env.ensure_database(args.regen, log)
    env.setup_django()
    from django.core.management import call_command
    from django.db import connection, connections

    from bench import (
        chat,
        dataset,
        ingest,
        latency,
        queues,
        reports,
        sla,
        webhook,
        workspace,
    )

    call_command("migrate", verbosity=0)
    setup = dataset.ensure_setup()
    if args.only_chat:
        args.skip_ingest = args.skip_latency = args.skip_workspace = True
    else:
        dataset.generate(setup, log)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg_version = cursor.fetchone()[0].split(" on ")[0]

    results: dict[str, object] = {"postgres": pg_version, "cpus": os.cpu_count(),
                                  "load_before": os.getloadavg()[0]}
    if not args.skip_ingest:
        connections.close_all()
        ingest_rows = []
        for processes in (1, 2):
            raw = ingest.insert_rate(env.DATABASE_URL, processes, args.duration)
            log(f"raw INSERT, {processes} process(es): {raw:,.0f} tx/s")
            for senders in ("new", "known", "assigned"):
                rate = ingest.pipeline_rate(processes, args.duration, senders)
                log(f"pipeline, {senders} senders, {processes} process(es): "
                    f"{rate.per_second:,.0f} events/s")
                ingest_rows.append({"processes": processes, "senders": senders,
                                    "pipeline_events_per_s": rate.per_second,
                                    "insert_tx_per_s": raw, "ratio": rate.per_second / raw,
                                    "cpu_ms_per_event": rate.cpu_ms_per_event,
                                    "statements_per_event": rate.statements_per_event})
        if not args.skip_webhook:
            raw_of = {row["processes"]: row["insert_tx_per_s"] for row in ingest_rows}
            webhook_rows = []
            for workers in (1, 2):
                rate = webhook.webhook_rate(setup, workers, args.duration)
                log(f"webhook over HTTP, {workers} uvicorn worker(s): {rate:,.0f} events/s")
                webhook_rows.append({"workers": workers, "events_per_s": rate,
                                     "insert_tx_per_s": raw_of[workers],
                                     "ratio": rate / raw_of[workers]})
            results["webhook"] = webhook_rows
            results["spool"] = _spool_figures(setup, args, raw_of)
        purged = ingest.purge_queued_tasks()
        log(f"purged {purged} routing tasks queued by the pipeline (no worker runs here)")
        results["ingest"] = ingest_rows
    if not args.skip_latency:
        figures = latency.run(setup, args.requests, dataset.CUSTOMERS)
        results["latency"] = [asdict(f) for f in figures]
    if not args.skip_workspace:
        figures = workspace.pages(setup, args.requests)
        figures.append(workspace.frame_to_row(setup, args.samples))
        results["workspace"] = [asdict(f) for f in figures]
    if not args.skip_chat:
        connections.close_all()
        figures = chat.run(setup, args.chat_samples)
        results["chat"] = [asdict(f) for f in figures]
    if not args.skip_reports:
        reports.ensure_rollup(setup, log)
        results["reports"] = [asdict(f) for f in reports.run(setup, args.requests)]
    if not args.skip_sla:
        results["sla"] = sla.run(log=log)
    if not args.skip_queues:
        results["queues"] = queues.run(log=log)
    results["counts"] = _counts()
    results["seconds"] = time.monotonic() - began
    results["load_after"] = os.getloadavg()[0]
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    _print(results, args)


def _spool_figures(setup: dict[str, Any], args: argparse.Namespace,
                   raw_of: dict[int, float]) -> dict[str, list[dict[str, Any]]]:
    """Twilio SMS from known senders: recorded inline against spooled and drained in
    batches, in process and over HTTP (bench/spool.py, bench/webhook.py)."""
    from django.db import connections

    from bench import spool, webhook

    spool.ensure_twilio_inbox(setup)
    if left := spool.drain_leftovers():
        log(f"recorded {left:,} events an earlier run left in the spool")
    connections.close_all()
    in_process = []
    for processes in (1, 2):
        for mode in ("inline", "spooled"):
            rate = spool.rate(mode, processes, args.spool_events)
            log(f"SMS {mode}, {processes} process(es): {rate.per_second:,.0f} events/s")
            in_process.append({**asdict(rate), "ratio": rate.per_second / raw_of[processes],
                               "ratio_one_client": rate.per_second / raw_of[1]})
    over_http = []
    for workers, spooled, drains in ((1, False, 0), (1, True, 0), (1, True, 1),
                                     (2, False, 0), (2, True, 0)):
        twilio = webhook.twilio_rate(setup, workers, args.duration, spooled=spooled,
                                     drains=drains)
        log(f"Twilio webhook, {workers} uvicorn, spooled {spooled}, {drains} drain(s): "
            f"{twilio.accepted_per_second:,.0f} accepted/s, "
            f"{twilio.recorded_per_second:,.0f} recorded/s")
        over_http.append({**asdict(twilio), "raw": raw_of[workers], "raw_one_client": raw_of[1]})
    return {"in_process": in_process, "http": over_http}


def _counts() -> dict[str, int]:
    from conversations.models import Conversation, Interaction
    from customers.models import Customer

    return {"customers": Customer.objects.count(), "conversations": Conversation.objects.count(),
            "interactions": Interaction.objects.count()}


def _print(results: dict[str, object], args: argparse.Namespace) -> None:
    from bench import webhook

    counts = results["counts"]
    assert isinstance(counts, dict)
    print()
    print(f"{results['postgres']}, default settings; {results['cpus']} CPUs shared by "
          "PostgreSQL, Redis and the benchmark")
    if "ingest" in results:
        print()
        print(f"Ingest ({args.duration:g} s per figure; do_record_inbound of an email from a "
              "new customer, or from a known one into their open conversation, waiting for "
              "an agent (a routing job written and published after commit) or assigned "
              "(no job); realtime events written)")
        print(f"  {'processes':<10} {'senders':<8} {'pipeline events/s':>18} "
              f"{'raw INSERT tx/s':>16} {'pipeline / raw':>15} {'CPU ms/event':>13} "
              f"{'statements':>11}")
        for row in results["ingest"]:  # type: ignore[attr-defined]
            print(f"  {row['processes']:<10} {row['senders']:<8} "
                  f"{row['pipeline_events_per_s']:>18,.0f} "
                  f"{row['insert_tx_per_s']:>16,.0f} {row['ratio']:>14.1%} "
                  f"{row['cpu_ms_per_event']:>13.1f} {row['statements_per_event']:>11.1f}")
    if "webhook" in results:
        print()
        print(f"Ingest through the API webhook over HTTP ({webhook.CLIENTS} keep-alive clients "
              "on this machine, known senders; ratio to the raw INSERT rate with as many "
              "processes)")
        print(f"  {'uvicorn workers':<16} {'events/s':>9} {'raw INSERT tx/s':>16} {'ratio':>7}")
        for row in results["webhook"]:  # type: ignore[attr-defined]
            print(f"  {row['workers']:<16} {row['events_per_s']:>9,.0f} "
                  f"{row['insert_tx_per_s']:>16,.0f} {row['ratio']:>7.1%}")
    if "spool" in results:
        _print_spool(results["spool"])  # type: ignore[arg-type]
    if "latency" in results:
        print()
        print(f"API latency at {counts['customers']:,} customers, {counts['conversations']:,} "
              f"conversations, {counts['interactions']:,} interactions")
        print(f" (in-process Django test client, {args.requests} requests each after warm-up)")
        print(f"  {'endpoint':<48} {'as':<16} {'p50 ms':>8} {'p99 ms':>8}  note")
        for row in results["latency"]:  # type: ignore[attr-defined]
            print(f"  {row['endpoint']:<48} {row['role']:<16} {row['p50_ms']:>8.1f} "
                  f"{row['p99_ms']:>8.1f}  {row['note']}")
    if "workspace" in results:
        print()
        print(f"Workspace pages (server time, in-process, {args.requests} requests each) and "
              f"socket frame -> row visible ({args.samples} frames, Chromium)")
        print(f"  {'page':<44} {'as':<16} {'p50 ms':>8} {'p99 ms':>8}  note")
        for row in results["workspace"]:  # type: ignore[attr-defined]
            print(f"  {row['endpoint']:<44} {row['role']:<16} {row['p50_ms']:>8.1f} "
                  f"{row['p99_ms']:>8.1f}  {row['note']}")
    if "chat" in results:
        print()
        print("Live chat (uvicorn in a child process, real sockets and channel layer; goals "
              "25/100 ms and 100 KiB)")
        print(f"  {'figure':<52} {'n':>5} {'p50':>8} {'p99':>8}  note")
        for row in results["chat"]:  # type: ignore[attr-defined]
            print(f"  {row['endpoint']:<52} {row['requests']:>5} {row['p50_ms']:>8.1f} "
                  f"{row['p99_ms']:>8.1f}  {row['note']}")
    if "reports" in results:
        print()
        print("Reports (server time, in-process; a year of rollup rows, 1M conversations)")
        print(f"  {'request':<44} {'as':<16} {'p50 ms':>8} {'p99 ms':>8}  note")
        for row in results["reports"]:  # type: ignore[attr-defined]
            print(f"  {row['endpoint']:<44} {row['role']:<16} {row['p50_ms']:>8.1f} "
                  f"{row['p99_ms']:>8.1f}  {row['note']}")
    if "sla" in results:
        figures = results["sla"]
        assert isinstance(figures, dict)
        print()
        print("SLA timer sweep (synthetic clocks, rolled back)")
        print(f"  select 1,000 due clocks: p50 {figures['select_ms_p50_small']:.2f} ms at "
              f"{figures['open_small']:,.0f} open, {figures['select_ms_p50_large']:.2f} ms at "
              f"{figures['open_large']:,.0f} open")
        print(f"  full sweep: {figures['sweep_ms_per_1000_due']:,.0f} ms per 1,000 breaches")
    if "queues" in results:
        from bench import queues

        figures = results["queues"]
        assert isinstance(figures, dict)
        print()
        print(f"Live queues /queues/ ({queues.OPEN:,} open conversations, "
              f"{queues.OUTCOMES_TODAY:,} outcomes today; synthetic, rolled back)")
        print(f"  {'request':<32} {'p50 ms':>8} {'p99 ms':>8} {'CPU p50 ms':>11}")
        for label, row in figures.items():
            if isinstance(row, dict):
                print(f"  {label:<32} {row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} "
                      f"{row['cpu_p50_ms']:>11.1f}")
    print()
    print(f"load average (1 min) {results['load_before']:.1f} before the measurements, "
          f"{results['load_after']:.1f} after")
    print(f"total {results['seconds']:.0f} s; figures also in bench/results/latest.json")


def _print_spool(spool: dict[str, list[dict[str, Any]]]) -> None:
    print()
    print("Twilio SMS from known senders: recorded inline (a transaction each) or spooled and "
          "drained in batches (bench/spool.py); ratio to the raw INSERT rate with as many "
          "processes, and to the raw rate of one client (the issue's reference)")
    print(f"  {'processes':<10} {'mode':<8} {'recorded/s':>11} {'ratio':>7} {'of 1':>7} "
          f"{'CPU ms/event':>13}")
    for row in spool["in_process"]:
        print(f"  {row['processes']:<10} {row['mode']:<8} {row['per_second']:>11,.0f} "
              f"{row['ratio']:>7.1%} {row['ratio_one_client']:>7.1%} "
              f"{row['cpu_ms_per_event']:>13.2f}")
    print("  over HTTP, signed Twilio webhooks (8 keep-alive clients); recorded/s from the "
          "first POST until the last was recorded")
    print(f"  {'uvicorn':<8} {'spool':<6} {'drains':<7} {'accepted/s':>11} {'ratio':>7} "
          f"{'recorded/s':>11} {'ratio':>7} {'of 1':>7}")
    for row in spool["http"]:
        print(f"  {row['workers']:<8} {'on' if row['spooled'] else 'off':<6} "
              f"{_drains(row):<7} {row['accepted_per_second']:>11,.0f} "
              f"{row['accepted_per_second'] / row['raw']:>7.1%} "
              f"{row['recorded_per_second']:>11,.0f} "
              f"{row['recorded_per_second'] / row['raw']:>7.1%} "
              f"{row['recorded_per_second'] / row['raw_one_client']:>7.1%}")


def _drains(row: dict[str, Any]) -> str:
    if not row["spooled"]:
        return "-"
    return str(row["drains"]) if row["drains"] else "thread"


if __name__ == "__main__":
    main()
