"""Agent sockets on the scale-out shape (bench/scaleout.py --fanout): the whole team's
fan-out with the sockets spread over the two web processes, and webhook POST -> first
frame at 80 % of the maximum ingest rate.

The shape is deploy/README.md's (bench/shape.py: two uvicorns, nginx, a worker per queue,
beat). The agent sockets (bench/sockets.py's `AgentSocket`, each its own agent of the API
inbox's team) run in `--client-processes` child processes, each half of them on its
own event loop, connected through nginx (least_conn spreads them over both uvicorns) or
straight to the uvicorns in turn. The clients share the machine's two cores with the
server: their CPU per POST is printed beside the server's, so a figure that the clients'
own reading dominates says so. Arrival times are CLOCK_MONOTONIC (`time.perf_counter`),
the same clock in every process.

1. Fan-out, closed loop: one POST at a time (a sender of this run, whose conversation is
   the team's); until the first socket has the interaction.created frame with its text,
   and until every socket has it.
2. The maximum ingest rate with those sockets connected: bench/webhook.py's closed loop
   (8 keep-alive clients as fast as they go) through nginx, with this run's senders, so
   every event reaches the sockets. Two figures: the POSTs answered 201 a second, and the
   events a second carried through to the sockets (each POST's own text, timed to the
   last frame's arrival): the rate the shape sustains, where the first also counts POSTs
   whose fan-out is still queued when the burst ends. Before any socket connects, the
   first figure is the reference.
3. Open loop at 80 % of the carried-through rate (or of the 201s, or one of each:
   `--open-basis`) for `--open-seconds`: POSTs started on a fixed schedule whatever the
   answers (16 keep-alive clients take them in turn), each with its own text; POST ->
   first frame is timed from the POST's scheduled start, so a POST that waited for a
   free client counts its wait.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import multiprocessing
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from bench import sockets

SENDERS = 50
CLOSED_LOOP_CLIENTS = 8  # bench/webhook.py's CLIENTS
OPEN_LOOP_CLIENTS = 16
STRAGGLERS_SECONDS = 5.0  # after the last open-loop POST, for its frames to arrive
REPLY_TIMEOUT = 300.0


@dataclass(frozen=True)
class FanOut:
    direct_writes: bool
    via: str
    webs: int
    client_processes: int
    sockets: int
    samples: int
    p50_ms: float  # the first socket to have the frame
    p99_ms: float
    all_p50_ms: float  # the last socket of the team to have it
    all_p99_ms: float
    server_cpu_ms: float  # both web processes' CPU per POST
    client_cpu_ms: float  # the client processes' CPU per POST
    load: float
    proxy_cpu_ms: float = 0.0  # nginx's workers' CPU per POST
    # Every socket's frame of every sample, pooled: an agent's POST -> frame latency.
    each_p50_ms: float = 0.0
    each_p99_ms: float = 0.0


@dataclass(frozen=True)
class OpenLoop:
    direct_writes: bool
    sockets: int
    max_rate_no_sockets: float
    max_rate: float  # with the sockets connected
    offered_rate: float
    achieved_rate: float  # POSTs answered 201 per second
    posts: int
    without_frame: int  # no socket had the frame STRAGGLERS_SECONDS after the last POST
    p50_ms: float  # POST scheduled -> first socket's frame
    p99_ms: float
    post_p50_ms: float  # POST scheduled -> answered
    post_p99_ms: float
    server_cpu_share: float  # both web processes, in cores
    client_cpu_share: float
    load: float
    # With the sockets connected: the events per second whose frames reached them (see
    # delivered_rate).
    delivered_rate: float = 0.0
    basis: str = "carried"  # offered_rate is open_share of delivered_rate, or of max_rate

    @staticmethod
    def of(setup: Setup, sockets: int, rate0: float, rate: float, delivered: float,
           basis: str) -> Callable[..., OpenLoop]:
        """The figure's rates and set-up, waiting for the loop's measurements."""
        def figure(**measured: Any) -> OpenLoop:
            return OpenLoop(direct_writes=setup.direct_writes, sockets=sockets,
                            max_rate_no_sockets=rate0, max_rate=rate,
                            delivered_rate=delivered, basis=basis, **measured)
        return figure


# --- the client processes ----------------------------------------------------------------

def _client_process(conn: Connection, origin: str, cookie_name: str) -> None:
    asyncio.run(_serve_parent(conn, origin, cookie_name))


async def _serve_parent(conn: Connection, origin: str, cookie_name: str) -> None:
    """Runs the parent's commands, one at a time, in order."""
    loop = asyncio.get_running_loop()
    commands: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
    loop.add_reader(conn.fileno(), lambda: commands.put_nowait(conn.recv()))
    fleets: list[sockets.Fleet] = []
    reporting: set[asyncio.Task[None]] = set()
    while True:
        command, *args = await commands.get()
        if command == "connect":  # [(url, [session key, ...]), ...]
            started = time.perf_counter()
            for url, keys in args[0]:
                fleet = sockets.Fleet(url, origin, cookie_name, deflate=False)
                await fleet.add(keys)
                fleets.append(fleet)
            conn.send(("connected", time.perf_counter() - started))
        elif command == "expect":
            for fleet in fleets:
                fleet.expect(args[0])
            conn.send(("expecting",))
            task = loop.create_task(_report_arrivals(conn, fleets))
            reporting.add(task)
            task.add_done_callback(reporting.discard)
        elif command == "track":
            for fleet in fleets:
                fleet.track_prefix, fleet.first_seen = args[0], {}
            conn.send(("tracking", time.process_time()))
        elif command == "seen":
            seen: dict[str, float] = {}
            for fleet in fleets:
                for key, at in fleet.first_seen.items():
                    seen[key] = min(at, seen.get(key, at))
                fleet.track_prefix = ""
            conn.send(("seen", seen, time.process_time()))
        elif command == "close":
            for fleet in fleets:
                await fleet.close()
            conn.send(("closed",))
            return
        errors = [error for fleet in fleets for error in fleet.errors]
        if errors:
            conn.send(("error", "; ".join(errors[:3])))
            return


async def _report_arrivals(conn: Connection, fleets: list[sockets.Fleet]) -> None:
    cpu = time.process_time()
    try:
        await asyncio.wait_for(asyncio.gather(*(f.everyone.wait() for f in fleets)),
                               sockets.FRAME_TIMEOUT)
    except TimeoutError:
        had = sum(len(f.arrivals) for f in fleets)
        conn.send(("error", f"{had} of {sum(len(f.sockets) for f in fleets)} sockets had "
                            f"the frame after {sockets.FRAME_TIMEOUT:g} s"))
        return
    arrivals = [at for fleet in fleets for at in fleet.arrivals.values()]
    conn.send(("arrived", min(arrivals), max(arrivals), time.process_time() - cpu, arrivals))


class Clients:
    """The child processes holding the agent sockets."""

    def __init__(self, count: int, origin: str, cookie_name: str) -> None:
        context = multiprocessing.get_context("fork")
        self.pipes: list[Connection] = []
        self.processes = []
        for _ in range(count):
            parent, child = context.Pipe()
            process = context.Process(target=_client_process, args=(child, origin, cookie_name),
                                      daemon=True)
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)
        self.opened = 0

    def ask(self, *command: Any) -> list[tuple[Any, ...]]:
        for pipe in self.pipes:
            pipe.send(command)
        return [self.answer(pipe) for pipe in self.pipes]

    def answer(self, pipe: Connection) -> tuple[Any, ...]:
        if not pipe.poll(REPLY_TIMEOUT):
            raise RuntimeError("a client process did not answer")
        reply: tuple[Any, ...] = pipe.recv()
        if reply[0] == "error":
            raise RuntimeError(f"client process: {reply[1]}")
        return reply

    def connect(self, urls: list[str], keys: list[str]) -> float:
        """The next sockets, spread over the processes and, in turn, over `urls`."""
        plans: list[dict[str, list[str]]] = [{} for _ in self.pipes]
        for n, key in enumerate(keys, self.opened):
            plans[n % len(self.pipes)].setdefault(urls[n % len(urls)], []).append(key)
        self.opened += len(keys)
        for pipe, plan in zip(self.pipes, plans, strict=True):
            pipe.send(("connect", list(plan.items())))
        return max(self.answer(pipe)[1] for pipe in self.pipes)

    def cpu_seconds(self) -> float:
        return sum(sockets.cpu_seconds(p.pid) for p in self.processes if p.pid is not None)

    def close(self) -> None:
        for pipe in self.pipes:
            try:
                pipe.send(("close",))
                pipe.poll(10)
            except OSError:
                pass
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()


# --- the posts ------------------------------------------------------------------------------

class Poster:
    """Webhook POSTs on one keep-alive connection (opened again when the server closed it)."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(self, sender: str, text: str, provider_id: str) -> int:
        body = json.dumps({"sender": {"kind": "email", "value": sender}, "text": text,
                           "provider_id": provider_id})
        for attempt in (1, 2):
            try:
                self.conn.request("POST", "/api/v1/inbound/", body, self.headers)
                response = self.conn.getresponse()
                response.read()
                return response.status
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def senders(run: str) -> list[str]:
    return [f"fanout-{run}-{n}@bench.example" for n in range(SENDERS)]


def warm_senders(port: int, token: str, run: str) -> None:
    """Each sender's first POST makes its customer and open conversation (the team's)."""
    poster = Poster(port, token)
    for n, sender in enumerate(senders(run)):
        poster.post(sender, "Hello", f"fanout-{run}-warm-{n}")


def max_rate(port: int, token: str, run: str, seconds: float) -> float:
    """201s per second from CLOSED_LOOP_CLIENTS clients as fast as they go."""
    return burst(port, token, run, seconds)[0] / seconds


def burst(port: int, token: str, run: str, seconds: float,
          prefix: str = "") -> tuple[int, float]:
    """CLOSED_LOOP_CLIENTS clients POST as fast as they go for `seconds`: the 201s and
    when the burst began (perf_counter). With a `prefix`, POST n of client c has the text
    prefix + "c-n", for the sockets to track."""
    who = senders(run)
    counts = [0] * CLOSED_LOOP_CLIENTS
    stop_at = time.monotonic() + seconds
    tag = uuid.uuid4().hex[:6]

    def client(number: int) -> None:
        poster, n = Poster(port, token), 0
        while time.monotonic() < stop_at:
            text = f"{prefix}{number}-{n}" if prefix else "Where is my order?"
            status = poster.post(who[(number + n * CLOSED_LOOP_CLIENTS) % len(who)],
                                 text, f"fanout-{tag}-{number}-{n}")
            counts[number] += status == 201
            n += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLOSED_LOOP_CLIENTS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts), began


def delivered_rate(port: int, token: str, run: str, seconds: float,
                   clients: Clients) -> tuple[float, float]:
    """The burst's 201s per second, and the rate the shape carried them through to the
    sockets: the events whose frame reached a socket, per second from the burst's start
    to the last of those frames. The second is the rate the shape sustains; the first
    counts POSTs answered while their fan-out may still be queued."""
    prefix = f"MX{uuid.uuid4().hex[:6]}-"
    clients.ask("track", prefix)
    accepted, began = burst(port, token, run, seconds, prefix)
    time.sleep(STRAGGLERS_SECONDS)
    seen: dict[str, float] = {}
    for reply in clients.ask("seen"):
        for key, at in reply[1].items():
            seen[key] = min(at, seen.get(key, at))
    if not seen:
        return accepted / seconds, 0.0
    return accepted / seconds, len(seen) / (max(seen.values()) - began)


def open_loop(port: int, token: str, run: str, rate: float, seconds: float,
              prefix: str) -> tuple[dict[str, float], dict[str, tuple[float, int]]]:
    """POSTs `rate` a second for `seconds` on a fixed schedule; the text of POST n is
    `prefix` + n. Returns each text's scheduled start and (answered at, status)."""
    who = senders(run)
    scheduled: dict[str, float] = {}
    answered: dict[str, tuple[float, int]] = {}
    due: queue.Queue[tuple[str, float] | None] = queue.Queue()

    def client() -> None:
        poster = Poster(port, token)
        while (item := due.get()) is not None:
            text, _ = item
            try:
                status = poster.post(who[len(answered) % len(who)], text, text)
            except (OSError, http.client.HTTPException):  # e.g. no answer in 30 s
                status, poster = 0, Poster(port, token)
            answered[text] = (time.perf_counter(), status)

    threads = [threading.Thread(target=client) for _ in range(OPEN_LOOP_CLIENTS)]
    for thread in threads:
        thread.start()
    total = int(rate * seconds)
    started = time.perf_counter()
    for n in range(total):
        at = started + n / rate
        delay = at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        text = f"{prefix}{n}"
        scheduled[text] = at
        due.put((text, at))
    for _ in threads:
        due.put(None)
    for thread in threads:
        thread.join()
    return scheduled, answered


# --- the measurements ---------------------------------------------------------------------

@dataclass(frozen=True)
class Setup:
    direct_writes: bool
    via: str
    web_pids: list[int]
    post_port: int  # nginx
    socket_urls: list[str]
    token: str
    steps: tuple[int, ...]
    samples: int
    open_seconds: float
    rate_seconds: float
    open_share: float = 0.8
    # Which maximum the open loop offers open_share of: "carried" (the events a second the
    # shape carried through to the sockets), "answered" (the 201s a second), or both.
    open_bases: tuple[str, ...] = ("carried",)
    proxy_pids: tuple[int, ...] = ()  # nginx's workers


def web_cpu(setup: Setup) -> float:
    return sum(sockets.cpu_seconds(pid) for pid in setup.web_pids)


def proxy_cpu(setup: Setup) -> float:
    return sum(sockets.cpu_seconds(pid) for pid in setup.proxy_pids)


def children(pid: int) -> tuple[int, ...]:
    """A process's children (nginx's workers, of its master)."""
    with open(f"/proc/{pid}/task/{pid}/children") as listed:
        return tuple(int(child) for child in listed.read().split())


def closed_loop(setup: Setup, clients: Clients, run: str, count: int,
                log: Callable[[str], None]) -> FanOut:
    poster, who = Poster(setup.post_port, setup.token), senders(run)
    first: list[float] = []
    everyone: list[float] = []
    each: list[float] = []
    server_cpu = client_cpu = nginx_cpu = 0.0
    warm_up = 5
    for n in range(warm_up + setup.samples):
        text = f"Bench fan-out {run}-{count}-{n}"
        clients.ask("expect", text)
        cpu_before, proxy_before = web_cpu(setup), proxy_cpu(setup)
        started = time.perf_counter()
        status = poster.post(who[0], text, f"fanout-{run}-{count}-{n}")
        if status != 201:
            raise RuntimeError(f"webhook answered {status}")
        replies = [clients.answer(pipe) for pipe in clients.pipes]
        if n >= warm_up:
            server_cpu += web_cpu(setup) - cpu_before
            nginx_cpu += proxy_cpu(setup) - proxy_before
            client_cpu += sum(reply[3] for reply in replies)
            first.append((min(r[1] for r in replies) - started) * 1000)
            everyone.append((max(r[2] for r in replies) - started) * 1000)
            each.extend((at - started) * 1000 for reply in replies for at in reply[4])
    p50, p99 = sockets.p50_p99(first)
    all_p50, all_p99 = sockets.p50_p99(everyone)
    each_p50, each_p99 = sockets.p50_p99(each)
    figure = FanOut(setup.direct_writes, setup.via, len(setup.web_pids), len(clients.pipes),
                    count, setup.samples, p50, p99, all_p50, all_p99,
                    server_cpu * 1000 / setup.samples, client_cpu * 1000 / setup.samples,
                    os.getloadavg()[0], nginx_cpu * 1000 / setup.samples, each_p50, each_p99)
    log(f"fan-out at {count:,} sockets: first p50 {p50:.1f} p99 {p99:.1f} ms; every socket "
        f"p50 {all_p50:.1f} p99 {all_p99:.1f} ms; each socket's frame p50 {each_p50:.1f} "
        f"p99 {each_p99:.1f} ms; CPU per POST: web {figure.server_cpu_ms:.1f}"
        f" ms, nginx {figure.proxy_cpu_ms:.1f} ms, clients {figure.client_cpu_ms:.1f} ms")
    return figure


def open_loop_figures(setup: Setup, clients: Clients, run: str, count: int, rate0: float,
                      log: Callable[[str], None]) -> list[OpenLoop]:
    """The maximum rates with `count` sockets, then an open loop at open_share of each
    rate in setup.open_bases ("carried", "answered")."""
    rate, delivered = delivered_rate(setup.post_port, setup.token, run, setup.rate_seconds,
                                     clients)
    log(f"max ingest rate with {count:,} sockets: {rate:,.0f} events/s answered 201, "
        f"{delivered:,.0f}/s carried through to the sockets (no sockets: {rate0:,.0f})")
    figures = []
    for basis in setup.open_bases:
        offered = (delivered if basis == "carried" else rate) * setup.open_share
        log(f"open loop at {offered:,.0f}/s ({setup.open_share:.0%} of the {basis} rate) for "
            f"{setup.open_seconds:g} s")
        time.sleep(2)  # the last loop's frames
        figures.append(open_loop_figure(setup, clients, run, count, offered, log,
                                        OpenLoop.of(setup, count, rate0, rate, delivered,
                                                    basis)))
    return figures


def open_loop_figure(setup: Setup, clients: Clients, run: str, count: int, offered: float,
                     log: Callable[[str], None], rates: Callable[..., OpenLoop]) -> OpenLoop:
    prefix = f"OL{uuid.uuid4().hex[:6]}-{count}-"
    cpu_clients = clients.cpu_seconds()
    clients.ask("track", prefix)
    cpu_web, began = web_cpu(setup), time.perf_counter()
    scheduled, answered = open_loop(setup.post_port, setup.token, run, offered,
                                    setup.open_seconds, prefix)
    elapsed = time.perf_counter() - began
    server_share = (web_cpu(setup) - cpu_web) / elapsed
    client_share = (clients.cpu_seconds() - cpu_clients) / elapsed
    time.sleep(STRAGGLERS_SECONDS)
    seen: dict[str, float] = {}
    for reply in clients.ask("seen"):
        for key, at in reply[1].items():
            seen[key] = min(at, seen.get(key, at))
    latencies = [(seen[t] - at) * 1000 for t, at in scheduled.items() if t in seen]
    posts = [(answered[t][0] - at) * 1000 for t, at in scheduled.items() if t in answered]
    ok = sum(1 for _, status in answered.values() if status == 201)
    missing = len(scheduled) - len(latencies)
    p50, p99 = sockets.p50_p99(latencies) if latencies else (float("nan"),) * 2
    post_p50, post_p99 = sockets.p50_p99(posts)
    figure = rates(offered_rate=offered, achieved_rate=ok / elapsed, posts=len(scheduled),
                   without_frame=missing, p50_ms=p50, p99_ms=p99, post_p50_ms=post_p50,
                   post_p99_ms=post_p99, server_cpu_share=server_share,
                   client_cpu_share=client_share, load=os.getloadavg()[0])
    log(f"open loop at {count:,} sockets, {offered:,.0f}/s offered, {ok / elapsed:,.0f}/s "
        f"answered 201: POST -> first frame p50 {p50:.0f} p99 {p99:.0f} ms ({missing} of "
        f"{len(scheduled)} without a frame); POST answered p50 {post_p50:.0f} p99 "
        f"{post_p99:.0f} ms; CPU: web {server_share:.2f} cores, clients {client_share:.2f}")
    return figure


def measure(setup: Setup, keys: list[str], client_processes: int,
            log: Callable[[str], None], fanouts: list[FanOut], loops: list[OpenLoop]) -> None:
    """Appends each figure as it is measured: a later step's failure keeps them."""
    from django.conf import settings
    from django.db import connections

    run = uuid.uuid4().hex[:8]
    warm_senders(setup.post_port, setup.token, run)
    rate0 = max_rate(setup.post_port, setup.token, run, setup.rate_seconds)
    log(f"max ingest rate before any socket connects: {rate0:,.0f} events/s")
    connections.close_all()  # not shared with the client processes
    origin = f"http://localhost:{setup.post_port}"
    clients = Clients(client_processes, origin, settings.SESSION_COOKIE_NAME)
    try:
        for count in setup.steps:
            seconds = clients.connect(setup.socket_urls, keys[clients.opened:count])
            log(f"{count:,} agent sockets open ({seconds:.0f} s to connect, via {setup.via}, "
                f"{client_processes} client processes); settling 5 s")
            time.sleep(5)
            fanouts.append(closed_loop(setup, clients, run, count, log))
            if setup.open_seconds > 0:
                loops.extend(open_loop_figures(setup, clients, run, count, rate0, log))
    finally:
        clients.close()
