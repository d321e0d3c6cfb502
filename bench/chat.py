"""Live chat figures, against omnidesk.asgi under uvicorn in a child process on the bench
database and Redis db (real sockets, real channel layer):

- visitor socket -> agent socket: a visitor's message frame until the agent's socket
  has its interaction.created event (through the one inbound pipeline);
- agent reply -> visitor socket: do_send_reply then the send task run at once in this
  process (the chat transport publishes to the visitor), until the visitor's socket has
  the message (the broker hop to a worker is not included);
- memory per idle visitor socket: the server process's resident memory growth over
  IDLE_SOCKETS connected visitors (each said hello and joined its group), divided by
  their number.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from typing import Any

from bench.latency import Latency, _percentiles
from bench.workspace import _free_port

IDLE_SOCKETS = 300


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _start_server(port: int) -> subprocess.Popen[bytes]:
    from bench import env

    # The flood guard would stop a visitor sending hundreds of messages in a minute.
    child_env = {**os.environ, "PYTHONPATH": str(env.ROOT),
                 "OMNIDESK_CHAT_MESSAGES_PER_MINUTE": "100000"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "omnidesk.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--lifespan", "on",
         # As manage.py serve and deploy/ run it.
         "--ws-per-message-deflate", "false"],
        cwd=str(env.ROOT), env=child_env,
    )
    deadline = time.monotonic() + 30
    import socket

    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("uvicorn did not start")


def _session_cookie(user: Any) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def _visitor(url: str) -> tuple[Any, dict[str, Any]]:
    import websockets

    sock = await websockets.connect(url, origin="http://bench-shop.test")  # type: ignore[arg-type]
    await sock.send(json.dumps({"type": "hello"}))
    welcome = json.loads(await sock.recv())
    return sock, welcome


async def _until(sock: Any, match: Any) -> float:
    while True:
        frame = json.loads(await asyncio.wait_for(sock.recv(), 10))
        if match(frame):
            return time.perf_counter()


def _run(base: str, key: str, cookie: str, samples: int, setup: dict[str, Any]) -> list[Latency]:
    import websockets
    from asgiref.sync import sync_to_async

    from conversations.actions.reply import do_send_reply
    from conversations.models import Interaction
    from conversations.tasks import send_interaction_task

    ws = base.replace("http", "ws")

    def reply(conversation_id: int, n: int) -> None:
        from conversations.models import Conversation

        sent = do_send_reply(conversation=Conversation.objects.get(pk=conversation_id),
                             author=setup["admin"], text=f"Bench reply {n}")
        send_interaction_task.apply(args=(sent.pk,))

    async def scenario() -> tuple[list[float], list[float], float]:
        agent = await websockets.connect(f"{ws}/ws/agent/", origin=base,  # type: ignore[arg-type]
                                         additional_headers={"Cookie": cookie})
        await agent.recv()  # hello
        visitor, _ = await _visitor(f"{ws}/ws/chat/{key}/")
        inbound, outbound = [], []
        stamp = int(time.time())
        conversation_id = 0
        for n in range(5 + samples):
            text = f"Bench visitor message {stamp}-{n}"
            started = time.perf_counter()
            await visitor.send(json.dumps({"type": "message", "client_id": f"b{stamp}-{n}",
                                           "text": text}))
            got = await _until(agent, lambda f, t=text: f.get("type") == "event"
                               and f["event"] == "interaction.created"
                               and f["data"].get("text") == t)
            if n >= 5:
                inbound.append((got - started) * 1000)
            if not conversation_id:
                conversation_id = await sync_to_async(
                    lambda t=text: Interaction.objects.get(text=t).conversation_id)()
            started = time.perf_counter()
            await sync_to_async(reply)(conversation_id, n)
            got = await _until(visitor, lambda f, n=n: f.get("type") == "event"
                               and f["data"].get("text") == f"Bench reply {n}")
            if n >= 5:
                outbound.append((got - started) * 1000)
        await agent.close()
        await visitor.close()
        return inbound, outbound, 0.0

    inbound, outbound, _ = asyncio.run(scenario())
    p50_in, p99_in = _percentiles(inbound)
    p50_out, p99_out = _percentiles(outbound)
    return [
        Latency("chat: visitor socket -> agent socket", "visitor", len(inbound), p50_in,
                p99_in, "message frame to interaction.created (pipeline, commit, layer)"),
        Latency("chat: agent reply -> visitor socket", "admin", len(outbound), p50_out,
                p99_out, "do_send_reply + send task in-process (no broker hop)"),
    ]


def _idle_memory(base: str, key: str, pid: int, count: int) -> Latency:
    ws = base.replace("http", "ws")

    async def scenario() -> float:
        socks = []
        # Warm up: the first sockets load code and pools the idle ones do not need.
        for _ in range(20):
            socks.append((await _visitor(f"{ws}/ws/chat/{key}/"))[0])
        await asyncio.sleep(1)
        before = _rss_kib(pid)
        for _ in range(count):
            socks.append((await _visitor(f"{ws}/ws/chat/{key}/"))[0])
        await asyncio.sleep(2)
        after = _rss_kib(pid)
        for sock in socks:
            await sock.close()
        return (after - before) / count

    per_socket = asyncio.run(scenario())
    return Latency(f"chat: memory per idle visitor socket ({count} sockets)", "visitor",
                   count, per_socket, per_socket, "KiB of server RSS each (both columns)")


def run(setup: dict[str, Any], samples: int) -> list[Latency]:
    from agents.models import Agent, Presence
    from channels_chat.widget import widget_key
    from conversations.models import Inbox

    inbox: Inbox = setup["inboxes"]["chat"]
    Agent.objects.filter(user=setup["admin"]).update(presence=Presence.ONLINE)
    key = widget_key(inbox)
    port = _free_port()
    server = _start_server(port)
    base = f"http://localhost:{port}"  # an ALLOWED_HOSTS name (the agent socket checks)
    try:
        figures = _run(base, key, _session_cookie(setup["admin"]), samples, setup)
        figures.append(_idle_memory(base, key, server.pid, IDLE_SOCKETS))
    finally:
        server.terminate()
        server.wait(timeout=20)
    return figures
