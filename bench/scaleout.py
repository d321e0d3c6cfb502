"""`make bench-scaleout`: the deployment shape of deploy/README.md, measured on this machine.

1. Two uvicorn web processes, nginx in front of them (deploy/nginx.conf, generated for
   local ports: bench/shape.py), a Celery worker per queue (`-Q celery`, `-Q bulk`) and
   one beat, all on the bench database. The API webhook's ingest rate (bench/webhook.py's
   clients) and the conversation list's latency over HTTP, (a) against one of the
   uvicorns directly, (b) through nginx to both, in alternating rounds; beside them the
   raw single-row INSERT rate and the in-process list latency of the same run.
2. Agent websockets on one uvicorn process (bench/sockets.py): memory per idle socket
   with 1,000 open, with and without permessage-deflate, and webhook POST -> frame
   latency with 10 and 1,000 sockets open (`--max-sockets 10000` adds a 10,000 step).
3. `--fanout`: the agent sockets spread over the shape's two uvicorns (bench/fanout.py):
   the whole team's fan-out, the max ingest rate with them connected and POST -> first
   frame in an open loop at 80 % of it; `--direct-writes both` measures with and without
   realtime.wire's ready-bytes writes in the same run.

    .venv/bin/python bench/scaleout.py [--duration 8] [--rounds 2] [--requests 200]
        [--sockets 1000] [--max-sockets 0] [--frames 100] [--frames-large 5]
        [--deflate both|on|off] [--assign-sweep] [--skip-http] [--skip-sockets]
        [--fanout [--fanout-steps 100,1000] [--fanout-via nginx|direct]
         [--client-processes 2] [--fanout-samples 30] [--open-seconds 25]
         [--rate-seconds 8] [--open-basis carried|answered|both]
         [--direct-writes both|on|off]]

Uses BENCH_DATABASE_URL / BENCH_REDIS_URL / BENCH_VAR_DIR as bench/run.py does (the data
set is generated once with COPY). Prints figures and the load average; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import statistics
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import env

WARM_SOCKETS = 10
OPEN_BASES = {"carried": ("carried",), "answered": ("answered",),
              "both": ("carried", "answered")}


def log(message: str) -> None:
    print(f"  · {message}", flush=True)


@dataclass(frozen=True)
class Ingest:
    round: int
    target: str
    events_per_s: float
    insert_tx_per_s: float
    load: float
    queued_after: int  # routing tasks the default queue's worker had not taken yet
    drain_seconds: float  # until it had
    web_cpu_seconds: tuple[float, ...]  # each uvicorn's CPU time during the figure


@dataclass(frozen=True)
class ListLatency:
    round: int
    target: str
    endpoint: str
    role: str
    clients: int
    requests: int
    p50_ms: float
    p99_ms: float
    load: float


# --- the list over HTTP ----------------------------------------------------------------------

def http_latency(port: int, cookie: str, path: str, requests: int,
                 clients: int) -> list[float]:
    """Milliseconds per GET from `clients` keep-alive connections, `requests` in all
    (10 more per client first, not counted)."""
    timings: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []

    def client(count: int) -> None:
        conn = http.client.HTTPConnection("localhost", port, timeout=30)
        headers = {"Cookie": cookie, "Accept": "application/json"}
        mine = []
        for n in range(10 + count):
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                errors.append(f"HTTP {response.status} for {path}")
                return
            if n >= 10:
                mine.append(elapsed)
        with lock:
            timings.extend(mine)

    threads = [threading.Thread(target=client, args=(requests // clients,))
               for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(errors[0])
    return timings


def list_paths(setup: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(endpoint, role, user): the list as an admin and as an agent of one team."""
    team = setup["teams"][0]
    return [("GET /api/v1/conversations/", "admin", setup["admin"]),
            ("GET /api/v1/conversations/", f"agent ({team.name})", setup["agent"]),
            ("GET /api/v1/conversations/?status=open", f"agent ({team.name})",
             setup["agent"])]


def in_process_latency(setup: dict[str, Any], requests: int) -> list[ListLatency]:
    from bench.latency import _client, _percentiles, measure

    rows = []
    for endpoint, role, user in list_paths(setup):
        path = endpoint.removeprefix("GET ")
        timings, note = measure(_client(user), lambda n, path=path: path, requests)
        if not timings:
            raise RuntimeError(note)
        p50, p99 = _percentiles(timings)
        rows.append(ListLatency(0, "in-process", endpoint, role, 1, len(timings), p50, p99,
                                os.getloadavg()[0]))
    return rows


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def queue_length(queue: str = "celery") -> int:
    import redis

    return int(redis.Redis.from_url(env.REDIS_URL).llen(queue))


def clear_broker() -> None:
    """What earlier runs queued and no worker took, and the tasks a stopped worker held
    unacknowledged (acks_late: a running assignment sweep is given back to the queue on
    shutdown), so no earlier run's work loads this one. The relay publishes again the
    jobs that still exist; the first drain waits for them."""
    import redis

    from bench import shape

    client = redis.Redis.from_url(env.REDIS_URL)
    client.delete("celery", shape.BULK_QUEUE, "unacked", "unacked_index", "unacked_mutex")


def pending_jobs() -> int:
    """Job rows not yet done (jobs/): routing of every event ingested so far, and what
    earlier runs left (the relay publishes those again)."""
    from jobs.models import Job

    return Job.objects.count()


def drain(log: Any, timeout: float = 180.0) -> float:
    """Waits for the workers to finish every job and queued task; seconds waited."""
    started = time.monotonic()
    while (queue_length() or pending_jobs()) and time.monotonic() - started < timeout:
        time.sleep(0.5)
    if queue_length() or pending_jobs():
        log(f"after {timeout:g} s the default queue still holds {queue_length()} tasks, "
            f"{pending_jobs()} jobs are not done")
    return time.monotonic() - started


# --- 1: the shape ----------------------------------------------------------------------------

def run_shape(setup: dict[str, Any], args: argparse.Namespace,
              var: Path) -> tuple[list[Ingest], list[ListLatency], dict[str, float]]:
    from django.db import connections

    from bench import ingest, shape, sockets, webhook
    from bench.chat import _session_cookie

    token = webhook._token(setup)
    cookies = {user.pk: _session_cookie(user) for _, _, user in list_paths(setup)}
    sockets.reset_agents()
    clear_broker()
    connections.close_all()
    ingest_rows: list[Ingest] = []
    list_rows: list[ListLatency] = []
    raw: dict[str, float] = {}
    with shape.running(var, assign_sweep=args.assign_sweep) as deployed:
        log(f"shape up: uvicorn on {deployed.web_ports}, nginx on {deployed.nginx_port}, "
            "workers -Q celery / -Q bulk, beat")
        targets = [("direct", deployed.web_ports[0]), ("nginx", deployed.nginx_port)]
        for round_ in range(1, args.rounds + 1):
            drain(log)
            # The reference beside each round: same machine, same moment, shape running.
            raw = {"1": ingest.insert_rate(env.DATABASE_URL, 1, args.duration),
                   "2": ingest.insert_rate(env.DATABASE_URL, 2, args.duration)}
            log(f"round {round_}: raw INSERT {raw['1']:,.0f} tx/s (1 process), "
                f"{raw['2']:,.0f} (2)")
            # Alternating order: neither target always runs second.
            for target, port in targets if round_ % 2 else targets[::-1]:
                deployed.check()
                pids = [deployed.pid(name) for name in ("web1", "web2")]
                cpu = [cpu_seconds(pid) for pid in pids]
                rate = webhook.drive(port, token, args.duration)
                cpu = [cpu_seconds(pid) - used for pid, used in zip(pids, cpu, strict=True)]
                load = os.getloadavg()[0]
                queued = queue_length()
                # The worker's backlog would take CPU from what is measured next.
                seconds = drain(log)
                reference = raw["1" if target == "direct" else "2"]
                ingest_rows.append(Ingest(round_, target, rate, reference, load, queued,
                                          seconds, tuple(cpu)))
                log(f"round {round_}: webhook via {target}: {rate:,.0f} events/s "
                    f"({rate / reference:.1%} of raw INSERT; uvicorn CPU "
                    f"{' + '.join(f'{c:.1f}' for c in cpu)} s); {queued} routing tasks queued "
                    f"at the end, drained in {seconds:.0f} s")
                for endpoint, role, user in list_paths(setup):
                    for clients in (1, 4):
                        timings = http_latency(port, cookies[user.pk],
                                               endpoint.removeprefix("GET "), args.requests,
                                               clients)
                        p50 = statistics.median(timings)
                        p99 = statistics.quantiles(timings, n=100)[98]
                        list_rows.append(ListLatency(round_, target, endpoint, role, clients,
                                                     len(timings), p50, p99,
                                                     os.getloadavg()[0]))
                        log(f"round {round_}: {endpoint} as {role} via {target}, {clients} "
                            f"client(s): p50 {p50:.1f} ms, p99 {p99:.1f} ms")
        deployed.check()
    purged = ingest.purge_queued_tasks()
    log(f"shape stopped; purged {purged} queued tasks")
    return ingest_rows, list_rows, raw


# --- 2: sockets ------------------------------------------------------------------------------

def run_sockets(setup: dict[str, Any], args: argparse.Namespace,
                var: Path) -> tuple[list[Any], list[Any]]:
    from django.db import connections

    from bench import shape, sockets, webhook

    steps = [WARM_SOCKETS, WARM_SOCKETS + args.sockets]
    top = max(steps[-1], args.max_sockets)
    log(f"open files: up to {sockets.raise_open_files():,} per process")
    user_ids = sockets.ensure_agents(top, setup["teams"][0])
    keys = sockets.create_sessions(user_ids)
    token = webhook._token(setup)
    connections.close_all()
    memory: list[Any] = []
    frames: list[Any] = []
    try:
        for deflate in {"both": (True, False), "on": (True,), "off": (False,)}[args.deflate]:
            plan_steps = list(steps)
            if not deflate and args.max_sockets > steps[-1]:
                plan_steps.append(args.max_sockets)  # our default: deflate off
            port = shape.free_port()
            server = shape.Shape(var=var, web_ports=[port])
            try:
                shape.start_web(server, f"sockets-deflate-{'on' if deflate else 'off'}", port,
                                deflate=deflate)
                plan = sockets.Plan(port=port, pid=server.pid(next(iter(server.processes))),
                                    token=token, session_keys=keys, deflate=deflate,
                                    steps=tuple(plan_steps), frames=args.frames,
                                    frames_large=args.frames_large,
                                    hold=args.hold)
                got_memory, got_frames = asyncio.run(sockets.measure(plan, log))
                memory += got_memory
                frames += got_frames
            except Exception as error:  # the other mode may still measure
                log(f"deflate {'on' if deflate else 'off'}: failed: {error!r}")
            finally:
                server.stop()
    finally:
        sockets.drop_sessions(keys)
        sockets.reset_agents()
    return memory, frames


# --- 3: the fan-out on the shape ---------------------------------------------------------

def run_fanout(setup: dict[str, Any], args: argparse.Namespace,
               var: Path) -> tuple[list[Any], list[Any]]:
    from django.db import connections

    from bench import fanout, sockets, webhook

    steps = tuple(int(step) for step in args.fanout_steps.split(","))
    log(f"open files: up to {sockets.raise_open_files():,} per process")
    keys = sockets.create_sessions(sockets.ensure_agents(max(steps), setup["teams"][0]))
    token = webhook._token(setup)
    rows: list[Any] = []
    loops: list[Any] = []
    modes = {"both": (True, False), "on": (True,), "off": (False,)}[args.direct_writes]
    try:
        for direct in modes:
            # Read by realtime.wire in the web processes (bench/shape.py's child_env).
            os.environ["OMNIDESK_REALTIME_DIRECT_WRITES"] = "1" if direct else "0"
            sockets.reset_agents()
            clear_broker()
            connections.close_all()
            with _fanout_shape(var, args) as deployed:
                log(f"shape up (direct writes {'on' if direct else 'off'}): uvicorn on "
                    f"{deployed.web_ports}, nginx on {deployed.nginx_port}")
                if not args.fanout_no_workers:
                    drain(log)
                if args.fanout_via == "nginx":
                    urls = [f"ws://localhost:{deployed.nginx_port}/ws/agent/"]
                else:
                    urls = [f"ws://localhost:{port}/ws/agent/" for port in deployed.web_ports]
                plan = fanout.Setup(direct, args.fanout_via,
                                    [deployed.pid("web1"), deployed.pid("web2")],
                                    deployed.nginx_port, urls, token, steps,
                                    args.fanout_samples, args.open_seconds, args.rate_seconds,
                                    proxy_pids=fanout.children(deployed.pid("nginx")),
                                    open_bases=OPEN_BASES[args.open_basis])
                try:
                    fanout.measure(plan, keys, args.client_processes, log, rows, loops)
                except Exception as error:  # the other mode may still measure
                    log(f"direct writes {'on' if direct else 'off'}: failed: {error!r}")
                deployed.check()
                if not args.fanout_no_workers:
                    drain(log, timeout=120)  # the routing worker's backlog: not the next's
    finally:
        os.environ.pop("OMNIDESK_REALTIME_DIRECT_WRITES", None)
        sockets.drop_sessions(keys)
        sockets.reset_agents()
    return rows, loops


@contextlib.contextmanager
def _fanout_shape(var: Path, args: argparse.Namespace) -> Iterator[Any]:
    """The whole shape, or (--fanout-no-workers) its two uvicorns and nginx alone: the
    routing the webhook's jobs ask for then waits, and takes no CPU from the fan-out."""
    from bench import shape

    if not args.fanout_no_workers:
        with shape.running(var, assign_sweep=args.assign_sweep) as deployed:
            yield deployed
        return
    deployed = shape.Shape(var=var, web_ports=[shape.free_port(), shape.free_port()])
    try:
        for number, port in enumerate(deployed.web_ports, 1):
            shape.start_web(deployed, f"web{number}", port)
        shape.start_nginx(deployed, deployed.web_ports)
        yield deployed
    finally:
        deployed.stop()


# --- printing --------------------------------------------------------------------------------

def _print(results: dict[str, Any], args: argparse.Namespace) -> None:
    print()
    print(f"{results['postgres']}; {results['cpus']} CPUs shared by nginx, uvicorn, Celery, "
          "PostgreSQL, Redis and the clients")
    if results.get("ingest"):
        print()
        print(f"Webhook ingest over HTTP ({args.duration:g} s each, 8 keep-alive clients, known "
              "senders; workers and beat running): one uvicorn directly vs nginx -> 2 uvicorns")
        print(f"  {'round':<6} {'target':<8} {'events/s':>9} {'raw INSERT tx/s':>16} "
              f"{'ratio':>7} {'load':>5} {'queued after':>13} {'drained in s':>13} "
              f"{'uvicorn CPU s':>14}")
        for row in results["ingest"]:
            print(f"  {row['round']:<6} {row['target']:<8} {row['events_per_s']:>9,.0f} "
                  f"{row['insert_tx_per_s']:>16,.0f} "
                  f"{row['events_per_s'] / row['insert_tx_per_s']:>7.1%} {row['load']:>5.1f} "
                  f"{row['queued_after']:>13,} {row['drain_seconds']:>13.0f} "
                  f"{' + '.join(f'{c:.1f}' for c in row['web_cpu_seconds']):>14}")
    if results.get("list"):
        print()
        print(f"Conversation list over HTTP ({args.requests} requests each, 1 or 4 keep-alive "
              "clients), 50 per page; in-process is Django's test client")
        print(f"  {'round':<6} {'target':<11} {'endpoint':<40} {'as':<16} {'clients':>7} "
              f"{'p50 ms':>8} {'p99 ms':>8}")
        for row in results["list"]:
            print(f"  {row['round']:<6} {row['target']:<11} {row['endpoint']:<40} "
                  f"{row['role']:<16} {row['clients']:>7} {row['p50_ms']:>8.1f} "
                  f"{row['p99_ms']:>8.1f}")
    if results.get("socket_memory"):
        print()
        print("Memory per idle agent socket (one uvicorn; heartbeats every 25 s, uvicorn pings "
              "every 20 s; goal 32 KiB)")
        print(f"  {'deflate':<8} {'sockets added':>13} {'KiB each':>9} {'RSS before MiB':>15} "
              f"{'after MiB':>10} {'connect s':>10} {'held CPU':>9} {'ms/socket/min':>14} "
              f"{'load':>5}")
        for row in results["socket_memory"]:
            print(f"  {'on' if row['deflate'] else 'off':<8} {row['sockets']:>13,} "
                  f"{row['kib_per_socket']:>9.1f} {row['rss_before_mib']:>15,.0f} "
                  f"{row['rss_after_mib']:>10,.0f} {row['connect_seconds']:>10.0f} "
                  f"{row['hold_cpu_share']:>9.1%} {row['cpu_ms_per_socket_minute']:>14.2f} "
                  f"{row['load']:>5.1f}")
    if results.get("socket_frames"):
        print()
        print("Webhook POST -> interaction.created frame on the agent sockets (goal p50 25 ms, "
              "p99 100 ms); 'first' is the first socket to have it, 'every' the last of the "
              "team, 'each' every socket's frame of every POST pooled; server CPU per POST "
              "(the webhook and its fan-out)")
        print(f"  {'deflate':<8} {'sockets':>8} {'n':>5} {'first p50':>10} {'first p99':>10} "
              f"{'every p50':>10} {'every p99':>10} {'each p50':>9} {'each p99':>9} "
              f"{'CPU ms':>7} {'load':>5}")
        for row in results["socket_frames"]:
            print(f"  {'on' if row['deflate'] else 'off':<8} {row['sockets']:>8,} "
                  f"{row['samples']:>5} {row['p50_ms']:>10.1f} {row['p99_ms']:>10.1f} "
                  f"{row['all_p50_ms']:>10.1f} {row['all_p99_ms']:>10.1f} "
                  f"{row.get('each_p50_ms', 0.0):>9.1f} {row.get('each_p99_ms', 0.0):>9.1f} "
                  f"{row.get('server_cpu_ms', 0.0):>7.1f} {row['load']:>5.1f}")
    if results.get("fanout"):
        print()
        print("Fan-out on the shape: webhook POST (through nginx) -> interaction.created frame, "
              "sockets spread over 2 uvicorns (goal every socket p50 25 ms, p99 100 ms); CPU "
              "per POST of both web processes, nginx's workers and the client processes")
        print(f"  {'direct':<7} {'via':<6} {'clients':>7} {'sockets':>8} {'n':>4} "
              f"{'first p50':>10} {'first p99':>10} {'every p50':>10} {'every p99':>10} "
              f"{'each p50':>9} {'each p99':>9} {'web ms':>7} {'nginx ms':>9} "
              f"{'client ms':>10} {'load':>5}")
        for row in results["fanout"]:
            print(f"  {'on' if row['direct_writes'] else 'off':<7} {row['via']:<6} "
                  f"{row['client_processes']:>7} {row['sockets']:>8,} {row['samples']:>4} "
                  f"{row['p50_ms']:>10.1f} {row['p99_ms']:>10.1f} {row['all_p50_ms']:>10.1f} "
                  f"{row['all_p99_ms']:>10.1f} {row.get('each_p50_ms', 0.0):>9.1f} "
                  f"{row.get('each_p99_ms', 0.0):>9.1f} {row['server_cpu_ms']:>7.1f} "
                  f"{row['proxy_cpu_ms']:>9.1f} {row['client_cpu_ms']:>10.1f} "
                  f"{row['load']:>5.1f}")
    if results.get("open_loop"):
        print()
        print("Open loop at 80 % of the max ingest rate measured with the sockets connected "
              "(goal POST -> first frame p99 1 s); rates in events/s, CPU in cores; max: "
              "answered 201, carried: carried through to the sockets")
        print(f"  {'direct':<7} {'sockets':>8} {'max, none':>10} {'max':>6} {'carried':>8} "
              f"{'80 % of':>8} {'offered':>8} "
              f"{'201/s':>6} {'posts':>6} {'no frame':>9} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'POST p50':>9} {'POST p99':>9} {'web':>5} {'clients':>8} {'load':>5}")
        for row in results["open_loop"]:
            print(f"  {'on' if row['direct_writes'] else 'off':<7} {row['sockets']:>8,} "
                  f"{row['max_rate_no_sockets']:>10,.0f} {row['max_rate']:>6,.0f} "
                  f"{row.get('delivered_rate', 0.0):>8,.0f} {row.get('basis', 'answered'):>8} "
                  f"{row['offered_rate']:>8,.0f} "
                  f"{row['achieved_rate']:>6,.0f} "
                  f"{row['posts']:>6,} {row['without_frame']:>9,} {row['p50_ms']:>7.0f} "
                  f"{row['p99_ms']:>7.0f} {row['post_p50_ms']:>9.0f} {row['post_p99_ms']:>9.0f} "
                  f"{row['server_cpu_share']:>5.2f} {row['client_cpu_share']:>8.2f} "
                  f"{row['load']:>5.1f}")
    print()
    print(f"load average (1 min) {results['load_before']:.1f} before, "
          f"{results['load_after']:.1f} after; total {results['seconds']:.0f} s; "
          "figures also in bench/results/scaleout.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=8.0,
                        help="seconds per ingest figure")
    parser.add_argument("--rounds", type=int, default=2,
                        help="alternating rounds of direct and nginx figures")
    parser.add_argument("--requests", type=int, default=200, help="GETs per list figure")
    parser.add_argument("--sockets", type=int, default=1000,
                        help="idle agent sockets for the memory figure")
    parser.add_argument("--max-sockets", type=int, default=0,
                        help="also measure with this many sockets open (e.g. 10000)")
    parser.add_argument("--frames", type=int, default=100,
                        help="webhook POSTs timed to the sockets per figure")
    parser.add_argument("--frames-large", type=int, default=5,
                        help="webhook POSTs timed with 1,000 or more sockets open")
    parser.add_argument("--deflate", choices=("both", "on", "off"), default="both",
                        help="socket figures with permessage-deflate on, off or both")
    parser.add_argument("--hold", type=float, default=30.0,
                        help="seconds the sockets are held (heartbeats run) before RSS is read")
    parser.add_argument("--assign-sweep", action="store_true",
                        help="beat's assignment sweep every 30 s as by default (bench/shape.py)")
    parser.add_argument("--skip-http", action="store_true", help="skip the shape's figures")
    parser.add_argument("--skip-sockets", action="store_true", help="skip the socket figures")
    parser.add_argument("--fanout", action="store_true",
                        help="the fan-out on the shape and the open loop (bench/fanout.py)")
    parser.add_argument("--fanout-steps", default="100,1000",
                        help="socket counts for the fan-out figures")
    parser.add_argument("--fanout-via", choices=("nginx", "direct"), default="nginx",
                        help="sockets through nginx, or straight to the two uvicorns in turn")
    parser.add_argument("--client-processes", type=int, default=2,
                        help="processes holding the agent sockets")
    parser.add_argument("--fanout-samples", type=int, default=30,
                        help="closed-loop POSTs timed per fan-out figure")
    parser.add_argument("--open-seconds", type=float, default=25.0,
                        help="seconds of open-loop POSTs per step (0: none)")
    parser.add_argument("--open-basis", choices=tuple(OPEN_BASES), default="carried",
                        help="the open loop at 80 %% of the rate carried through to the "
                             "sockets, of the rate of 201s, or one loop at each")
    parser.add_argument("--rate-seconds", type=float, default=8.0,
                        help="seconds per max ingest rate figure")
    parser.add_argument("--fanout-no-workers", action="store_true",
                        help="the fan-out's shape without Celery workers and beat")
    parser.add_argument("--direct-writes", choices=("both", "on", "off"), default="on",
                        help="frames written as ready bytes (realtime.wire), or not, or both")
    args = parser.parse_args()

    began = time.monotonic()
    warnings.filterwarnings("ignore", message="No directory at")
    print(f"omnidesk scale-out benchmark: {env.DATABASE_URL}, {os.cpu_count()} CPUs",
          flush=True)
    env.configure()

    env.ensure_database()
    env.setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from bench import dataset

    call_command("migrate", verbosity=0)
    setup = dataset.ensure_setup()
    dataset.generate(setup, log)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg_version = cursor.fetchone()[0].split(" on ")[0]
    var = Path(settings.VAR_DIR) / "scaleout"
    results: dict[str, Any] = {"postgres": pg_version, "cpus": os.cpu_count(),
                               "load_before": os.getloadavg()[0]}
    out = Path(__file__).resolve().parent / "results" / "scaleout.json"
    out.parent.mkdir(exist_ok=True)

    def save() -> None:  # after each part: a later failure keeps what was measured
        results["seconds"] = time.monotonic() - began
        results["load_after"] = os.getloadavg()[0]
        out.write_text(json.dumps(results, indent=2))

    if not args.skip_http:
        results["list"] = [asdict(r) for r in in_process_latency(setup, args.requests)]
        ingest_rows, list_rows, _ = run_shape(setup, args, var)
        results["ingest"] = [asdict(r) for r in ingest_rows]
        results["list"] += [asdict(r) for r in list_rows]
        save()
    if not args.skip_sockets:
        memory, frames = run_sockets(setup, args, var)
        results["socket_memory"] = [asdict(r) for r in memory]
        results["socket_frames"] = [asdict(r) for r in frames]
        save()
    if args.fanout:
        fanouts, loops = run_fanout(setup, args, var)
        results["fanout"] = [asdict(r) for r in fanouts]
        results["open_loop"] = [asdict(r) for r in loops]
        save()
    save()
    _print(results, args)


if __name__ == "__main__":
    main()
