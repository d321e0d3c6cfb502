"""Agent websockets at scale, against one uvicorn process (deploy/README.md's web process)
on the bench database and Redis db, for bench/scaleout.py:

- memory per idle agent socket: the server's resident memory growth over N sockets,
  divided by N. Each socket is its own agent of the API inbox's team with its own session
  (written as Django's session store writes them), said hello and joined its groups
  (its agent group and the team's). They are held while the heartbeats run: every socket
  sends the workspace client's ping every 25 s (static/js/realtime.js), and uvicorn
  pings every socket every 20 s. With and without permessage-deflate.
- webhook POST -> agent socket frame: POST the API inbox's webhook (one sender of this
  run, whose open conversation is the team's), until the first connected socket has the
  interaction.created frame with the POST's text; and until every connected socket has
  it (the fan-out to the whole team). The clients run in one asyncio process on the same
  machine: the fan-out figure includes their reading of every frame.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import random
import statistics
import string
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

HEARTBEAT_SECONDS = 25.0  # static/js/realtime.js HEARTBEAT_MS
HOLD_SECONDS = 30.0  # every socket pinged at least once, uvicorn's pings went round
CONNECT_CONCURRENCY = 40
CONNECT_ATTEMPTS = 5
FRAME_TIMEOUT = 180.0  # the whole team's fan-out, however slow
USERNAME_PREFIX = "bench-sock-"
SESSION_KEY_CHARS = string.ascii_lowercase + string.digits  # Django's own


@dataclass(frozen=True)
class Memory:
    deflate: bool
    sockets: int
    kib_per_socket: float
    rss_before_mib: float
    rss_after_mib: float
    connect_seconds: float
    load: float
    # The server's CPU while every socket was held (heartbeats and uvicorn's pings): share
    # of one core, and CPU ms per socket per minute.
    hold_cpu_share: float = 0.0
    cpu_ms_per_socket_minute: float = 0.0


@dataclass(frozen=True)
class Frames:
    deflate: bool
    sockets: int
    samples: int
    p50_ms: float  # the first socket to have the frame
    p99_ms: float
    all_p50_ms: float  # the last socket of the team to have it
    all_p99_ms: float
    load: float
    server_cpu_ms: float = 0.0  # the server's CPU per POST: the webhook and its fan-out
    # Every socket's frame of every sample, pooled: an agent's POST -> frame latency.
    each_p50_ms: float = 0.0
    each_p99_ms: float = 0.0


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raise_open_files() -> int:
    """The soft limit of open files up to the hard one (a socket is a file on both ends;
    the server, a child, inherits it); returns the new limit."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def p50_p99(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


# --- agents and their sessions -------------------------------------------------------------

def ensure_agents(count: int, team: Any) -> list[int]:
    """`count` agents of `team` (user ids), made once and kept: bench-sock-00000 ..."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.db import transaction

    from agents.models import Agent, Role

    have = User.objects.filter(username__startswith=USERNAME_PREFIX).count()
    if have < count:
        with transaction.atomic():
            users = User.objects.bulk_create([
                User(username=f"{USERNAME_PREFIX}{n:05d}", password=make_password(None),
                     first_name="Bench", last_name=f"Socket {n}")
                for n in range(have, count)
            ])
            agents = Agent.objects.bulk_create([Agent(user=u, role=Role.AGENT, away=True)
                                                for u in users])
            Agent.teams.through.objects.bulk_create([
                Agent.teams.through(agent_id=a.pk, team_id=team.pk) for a in agents
            ])
    return list(User.objects.filter(username__startswith=USERNAME_PREFIX)
                .order_by("username").values_list("pk", flat=True)[:count])


def reset_agents() -> int:
    """The socket agents offline again, and the conversations assignment gave them while
    they were online unassigned (the data set as generated); returns how many.

    They are away: connected, they receive their team's events, but routing gives them
    no conversation. Online, 1,000 agents signing in at once took the data set's 10,000
    waiting conversations of their team, ten each, and each assignment is a frame to all
    1,000 sockets: ten million frames, sent during the fan-out measurement."""
    from agents.models import Agent, Presence
    from conversations.models import Conversation

    Agent.objects.filter(user__username__startswith=USERNAME_PREFIX).update(
        presence=Presence.OFFLINE, last_heartbeat_at=None, away=True)
    return Conversation.objects.filter(
        assignee__username__startswith=USERNAME_PREFIX).update(assignee=None)


def create_sessions(user_ids: list[int]) -> list[str]:
    """A signed-in session per user, as django.contrib.auth.login stores it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from omnidesk.signed_in import MODEL_BACKEND, SessionStore

    store = SessionStore()
    expires = timezone.now() + timedelta(days=1)
    rows = []
    for user in User.objects.filter(pk__in=user_ids).only("pk", "password"):
        data = {SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: MODEL_BACKEND,
                HASH_SESSION_KEY: user.get_session_auth_hash()}
        rows.append(Session(session_key=get_random_string(32, SESSION_KEY_CHARS),
                            session_data=store.encode(data), expire_date=expires))
    Session.objects.bulk_create(rows, batch_size=2000)
    return [row.session_key for row in rows]


def drop_sessions(keys: list[str]) -> None:
    from django.contrib.sessions.models import Session

    for start in range(0, len(keys), 5000):
        Session.objects.filter(session_key__in=keys[start:start + 5000]).delete()


# --- the client side: many agent sockets in one event loop -----------------------------

class AgentSocket(asyncio.Protocol):
    """One agent socket of the fleet, on websockets' sans-I/O protocol: each frame is
    looked at in `data_received`, when it arrives, without a task or a queue per socket
    (with websockets' asyncio client the fleet's own reading of 1,010 frames was most of
    the "every socket" figure). Pings as the workspace client does, on a timer.

    Once the handshake is done and no extension was negotiated, frames are read by
    `RawFrames` instead: websockets' parser cost the fleet about 37 ms of CPU per POST at
    1,010 sockets, on the same two cores as the server it measures (a browser tab reads
    one frame, on a machine of its own)."""

    def __init__(self, fleet: Fleet, index: int, cookie: str) -> None:
        from websockets.client import ClientProtocol
        from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
        from websockets.typing import Origin
        from websockets.uri import parse_uri

        self.fleet, self.index, self.cookie = fleet, index, cookie
        extensions = [ClientPerMessageDeflateFactory()] if fleet.deflate else None
        self.protocol = ClientProtocol(parse_uri(fleet.url), origin=Origin(fleet.origin),
                                       extensions=extensions, max_size=None)
        self.transport: asyncio.Transport | None = None
        self.hello: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.last_event = 0
        self.timer: asyncio.TimerHandle | None = None
        self.raw: RawFrames | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        request = self.protocol.connect()
        request.headers["Cookie"] = self.cookie
        self.protocol.send_request(request)
        self._flush()

    def _flush(self) -> None:
        assert self.transport is not None
        data = self.protocol.data_to_send()
        if data and not self.transport.is_closing():
            self.transport.write(b"".join(data))

    def data_received(self, data: bytes) -> None:
        from websockets.frames import Frame, Opcode

        now = time.perf_counter()
        if self.raw is not None:
            self._raw_received(self.raw, data, now)
            return
        self.protocol.receive_data(data)
        for event in self.protocol.events_received():
            if isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                self._text(bytes(event.data).decode(), now)
            elif not isinstance(event, Frame) and self.protocol.handshake_exc is not None:
                self._fail(f"handshake: {self.protocol.handshake_exc}")
        self._flush()  # pongs to uvicorn's pings, a close
        self._maybe_go_raw()

    def _maybe_go_raw(self) -> None:
        from websockets.protocol import State

        protocol = self.protocol
        if (protocol.state is State.OPEN and not protocol.extensions
                and not protocol.reader.buffer and self.transport is not None):
            self.raw = RawFrames()

    def _raw_received(self, raw: RawFrames, data: bytes, now: float) -> None:
        assert self.transport is not None
        for opcode, payload in raw.feed(data):
            if opcode == OP_TEXT:
                self._text(payload.decode(), now)
            elif opcode == OP_PING:
                self.transport.write(masked_frame(OP_PONG, payload))
            elif opcode == OP_CLOSE:
                if not self.transport.is_closing():
                    self.transport.write(masked_frame(OP_CLOSE, payload[:2]))
                    self.transport.close()
                return

    def _text(self, raw: str, now: float) -> None:
        fleet = self.fleet
        if not raw.startswith('{"type": "event"'):
            if not self.hello.done():
                self.hello.set_result(json.loads(raw))
            return
        if fleet.marker and fleet.marker in raw and self.index not in fleet.arrivals:
            fleet.arrivals[self.index] = now
            if len(fleet.arrivals) == len(fleet.sockets):
                fleet.everyone.set()
        if fleet.track_prefix and (at := raw.find(fleet.track_prefix)) >= 0:
            fleet.first_seen.setdefault(raw[at:raw.find('"', at)], now)
        self.last_event = int(raw[len('{"type": "event", "id": '):].split(",", 1)[0])

    def ping(self) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        text = json.dumps({"type": "ping", "last": self.last_event}).encode()
        if self.raw is not None:
            self.transport.write(masked_frame(OP_TEXT, text))
        else:
            self.protocol.send_text(text)
            self._flush()
        self.timer = asyncio.get_running_loop().call_later(HEARTBEAT_SECONDS, self.ping)

    def _fail(self, why: str) -> None:
        if not self.hello.done():
            self.hello.set_exception(RuntimeError(why))
        elif self.index >= 0 and len(self.fleet.errors) < 5:  # not a refused connect
            self.fleet.errors.append(f"socket {self.index}: {why}")

    def connection_lost(self, exc: Exception | None) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if not self.fleet.closing:
            self._fail(f"closed ({exc or self.protocol.close_rcvd or 'by the server'})")

    def close(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()


OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10


class RawFrames:
    """A server's frames (RFC 6455 5.2: unmasked, no extension) read from a socket's
    bytes: (opcode, payload) for each whole message; fragments are joined."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.fragments: list[bytes] = []
        self.fragment_opcode = 0

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        buffer = self.buffer
        buffer += data
        out: list[tuple[int, bytes]] = []
        start, end = 0, len(buffer)
        while end - start >= 2:
            first, size = buffer[start], buffer[start + 1] & 0x7F
            at = start + 2
            if size == 126:
                if end - at < 2:
                    break
                size, at = int.from_bytes(buffer[at:at + 2], "big"), at + 2
            elif size == 127:
                if end - at < 8:
                    break
                size, at = int.from_bytes(buffer[at:at + 8], "big"), at + 8
            if end - at < size:
                break
            payload = bytes(buffer[at:at + size])
            start = at + size
            self._frame(first & 0x80, first & 0x0F, payload, out)
        del buffer[:start]
        return out

    def _frame(self, fin: int, opcode: int, payload: bytes,
               out: list[tuple[int, bytes]]) -> None:
        if opcode >= OP_CLOSE:  # control frames come whole, between fragments too
            out.append((opcode, payload))
            return
        if opcode != OP_CONTINUATION:
            self.fragment_opcode, self.fragments = opcode, []
        self.fragments.append(payload)
        if fin:
            out.append((self.fragment_opcode, b"".join(self.fragments)))
            self.fragments = []


def masked_frame(opcode: int, payload: bytes) -> bytes:
    """A client's final frame (clients mask theirs: RFC 6455 5.3); payloads < 64 KiB."""
    size = len(payload)
    header = bytes((0x80 | opcode, 0x80 | size)) if size < 126 else \
        bytes((0x80 | opcode, 0x80 | 126)) + size.to_bytes(2, "big")
    key = os.urandom(4)
    mask = (key * (size // 4 + 1))[:size]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(mask, "big")).to_bytes(size, "big")
    return header + key + masked


class Fleet:
    """Agent sockets that each read every frame and ping as the workspace does."""

    def __init__(self, url: str, origin: str, cookie_name: str, *, deflate: bool) -> None:
        self.url, self.origin, self.cookie_name = url, origin, cookie_name
        self.deflate = deflate
        self.sockets: list[AgentSocket] = []
        self.marker = ""
        self.arrivals: dict[int, float] = {}
        # Open-loop runs (bench/fanout.py): when any socket first had each text that
        # starts with `track_prefix`.
        self.track_prefix = ""
        self.first_seen: dict[str, float] = {}
        self.everyone = asyncio.Event()
        self.errors: list[str] = []
        self.refused = 0  # connects refused with 1013 and tried again
        self.closing = False

    async def add(self, session_keys: list[str]) -> float:
        """Connects a socket per session (CONNECT_CONCURRENCY at a time); seconds taken."""
        started = time.perf_counter()
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one(key: str) -> None:
            async with gate:
                await self._connect(key)

        await asyncio.gather(*(one(key) for key in session_keys))
        return time.perf_counter() - started

    async def _connect(self, key: str) -> None:
        from urllib.parse import urlsplit

        loop = asyncio.get_running_loop()
        where = urlsplit(self.url)
        for attempt in range(1, CONNECT_ATTEMPTS + 1):
            sock = AgentSocket(self, -1, f"{self.cookie_name}={key}")
            await loop.create_connection(lambda sock=sock: sock, where.hostname, where.port)
            try:
                hello = await asyncio.wait_for(sock.hello, 120)
                break
            except RuntimeError as error:
                # 1013: joining its groups took the server longer than its layer
                # timeout (a loaded machine); the workspace client retries too.
                if "1013" not in str(error) or attempt == CONNECT_ATTEMPTS:
                    raise
                self.refused += 1
                await asyncio.sleep(attempt)
        if hello.get("type") != "hello":
            raise RuntimeError(f"agent socket said {hello!r}")
        sock.index = len(self.sockets)
        sock.last_event = int(hello["last_event_id"])
        self.sockets.append(sock)
        sock.timer = loop.call_later(random.uniform(0, HEARTBEAT_SECONDS), sock.ping)

    def expect(self, marker: str) -> None:
        self.marker, self.arrivals = marker, {}
        self.everyone = asyncio.Event()

    async def close(self) -> None:
        self.closing = True
        for sock in self.sockets:
            sock.close()
        await asyncio.sleep(0.5)
        self.sockets = []


# --- the measurements ---------------------------------------------------------------------

def _poster(port: int, token: str, sender: str) -> Callable[[str, str], int]:
    """POSTs on one keep-alive connection, opened again if the server closed it while
    the sockets connected (uvicorn closes idle ones after 5 s)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(text: str, provider_id: str) -> int:
        body = json.dumps({"sender": {"kind": "email", "value": sender}, "text": text,
                           "provider_id": provider_id})
        for attempt in (1, 2):
            try:
                conn.request("POST", "/api/v1/inbound/", body, headers)
                response = conn.getresponse()
                response.read()
                return response.status
            except (ConnectionError, http.client.HTTPException):
                conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    return post


async def frame_latency(fleet: Fleet, post: Callable[[str, str], int], samples: int,
                        *, deflate: bool, pid: int, log: Callable[[str], None]) -> Frames:
    run = uuid.uuid4().hex[:8]
    first: list[float] = []
    everyone: list[float] = []
    each: list[float] = []
    warm_up = min(5, samples)
    cpu = 0.0
    for n in range(warm_up + samples):
        text = f"Bench socket frame {run}-{n}"
        fleet.expect(text)
        cpu_before = cpu_seconds(pid)
        started = time.perf_counter()
        status = await asyncio.to_thread(post, text, f"sock-{run}-{n}")
        if status != 201:
            raise RuntimeError(f"webhook answered {status}")
        try:
            await asyncio.wait_for(fleet.everyone.wait(), FRAME_TIMEOUT)
        except TimeoutError:
            log(f"frame {n}: {len(fleet.arrivals)} of {len(fleet.sockets)} sockets had it "
                f"after {FRAME_TIMEOUT:g} s")
            raise
        if n >= warm_up:
            cpu += cpu_seconds(pid) - cpu_before
            first.append((min(fleet.arrivals.values()) - started) * 1000)
            everyone.append((max(fleet.arrivals.values()) - started) * 1000)
            each.extend((at - started) * 1000 for at in fleet.arrivals.values())
    p50, p99 = p50_p99(first)
    all_p50, all_p99 = p50_p99(everyone)
    each_p50, each_p99 = p50_p99(each)
    return Frames(deflate, len(fleet.sockets), samples, p50, p99, all_p50, all_p99,
                  os.getloadavg()[0], cpu * 1000 / samples, each_p50, each_p99)


@dataclass(frozen=True)
class Plan:
    port: int
    pid: int
    token: str
    session_keys: list[str]
    deflate: bool
    steps: tuple[int, ...]  # socket counts to measure at, e.g. (10, 1010)
    frames: int  # samples per frame figure at the first step
    frames_large: int  # at the later steps (a slow fan-out takes a while each)
    hold: float = HOLD_SECONDS


async def measure(plan: Plan, log: Callable[[str], None]) -> tuple[list[Memory], list[Frames]]:
    """Opens sockets up to each step's count and times frames with that many open. From
    the second step on, the server's RSS growth over the sockets that step added (read
    before they connect and after they were held) is the memory figure."""

    from django.conf import settings

    fleet = Fleet(f"ws://localhost:{plan.port}/ws/agent/", f"http://localhost:{plan.port}",
                  settings.SESSION_COOKIE_NAME, deflate=plan.deflate)
    post = _poster(plan.port, plan.token, f"sockets-{uuid.uuid4().hex[:8]}@bench.example")
    memory: list[Memory] = []
    frames: list[Frames] = []
    mode = "on" if plan.deflate else "off"
    try:
        for step, count in enumerate(plan.steps):
            had = len(fleet.sockets)
            before = rss_kib(plan.pid)
            seconds = await fleet.add(plan.session_keys[had:count])
            log(f"{count:,} agent sockets open (deflate {mode}, {seconds:.0f} s to connect), "
                f"held {plan.hold:g} s with heartbeats")
            cpu_before, held_from = cpu_seconds(plan.pid), time.perf_counter()
            await asyncio.sleep(plan.hold)
            held = time.perf_counter() - held_from
            hold_cpu = cpu_seconds(plan.pid) - cpu_before
            log(f"server CPU while held: {hold_cpu / held:.1%} of a core")
            if fleet.errors:
                raise RuntimeError("; ".join(fleet.errors))
            if step:
                after = rss_kib(plan.pid)
                per_socket = (after - before) / (count - had)
                memory.append(Memory(plan.deflate, count - had, per_socket, before / 1024,
                                     after / 1024, seconds, os.getloadavg()[0],
                                     hold_cpu / held, hold_cpu * 1000 / held * 60 / count))
                log(f"server RSS {before / 1024:,.0f} -> {after / 1024:,.0f} MiB: "
                    f"{per_socket:,.1f} KiB per socket")
            samples = plan.frames_large if step else plan.frames
            figure = await frame_latency(fleet, post, samples, deflate=plan.deflate,
                                         pid=plan.pid, log=log)
            log(f"webhook -> frame at {count:,} sockets: first socket p50 {figure.p50_ms:.1f}"
                f" p99 {figure.p99_ms:.1f} ms; every socket p50 {figure.all_p50_ms:.1f} "
                f"p99 {figure.all_p99_ms:.1f} ms; each socket's frame p50 "
                f"{figure.each_p50_ms:.1f} p99 {figure.each_p99_ms:.1f} ms; server CPU "
                f"{figure.server_cpu_ms:.1f} ms per POST")
            frames.append(figure)
    finally:
        await fleet.close()
    return memory, frames
