"""Ingest through the spool (spool/): the same Twilio SMS messages from known customers
recorded inline (one transaction each, as with OMNIDESK_SPOOL=0) and accepted into the
spool then recorded by the drain (batches of OMNIDESK_SPOOL_BATCH per transaction), in
the same run as the raw INSERT rate (bench.ingest).

In process (`drain_rate`): each process spools its events in one transaction; on commit
its drain thread records them; the figure is events recorded per second from the
commit until the spool is empty, and the processes' CPU per event (all threads).
Over HTTP (`bench.webhook.twilio_rate`): signed Twilio webhooks to uvicorn.
"""

from __future__ import annotations

import multiprocessing
import time
import uuid
from dataclasses import dataclass
from typing import Any

from bench import env

SENDERS_PER_PROCESS = 50
INBOX_NUMBER = "+15005550100"
AUTH_TOKEN = "bench0bench0bench0bench0bench012"  # noqa: S105  (the bench inbox's, signed locally)
ACCOUNT_SID = "AC" + "b" * 32
BODY = "Hi, my desk still has not arrived. Any news from the carrier?"


def ensure_twilio_inbox(setup: dict[str, Any]) -> Any:
    """The bench's Twilio inbox, with a number and an auth token to sign for."""
    inbox = setup["inboxes"]["twilio"]
    inbox.address = INBOX_NUMBER
    inbox.config = {**inbox.config, "account_sid": ACCOUNT_SID}
    inbox.secrets = {**inbox.secrets, "auth_token": AUTH_TOKEN}
    inbox.is_active = True
    inbox.save()
    return inbox


def sender_phone(process: int, n: int) -> str:
    return f"+1415{7_000_000 + process * SENDERS_PER_PROCESS + n % SENDERS_PER_PROCESS:07d}"


def message_params(run: str, process: int, n: int) -> dict[str, str]:
    sid = f"SM{uuid.uuid5(uuid.NAMESPACE_OID, f'{run}-{process}-{n}').hex}"
    return {
        "ToCountry": "US", "SmsMessageSid": sid, "NumMedia": "0", "SmsSid": sid,
        "SmsStatus": "received", "Body": BODY, "To": INBOX_NUMBER, "NumSegments": "1",
        "MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": sender_phone(process, n),
        "ApiVersion": "2010-04-01",
    }


def _worker(spec: str, process: int, events: int, ready: Any, out: Any) -> None:
    run, mode = spec.split(":")
    env.setup_django()
    from django.db import transaction

    from channels_sms.actions import do_accept_message, do_record_message
    from channels_sms.parse import parse_message
    from conversations.models import Conversation, Inbox
    from spool.models import SpooledEvent

    inbox = Inbox.objects.get(slug="bench-twilio")

    def parsed(n: int) -> tuple[Any, dict[str, str]]:
        params = message_params(run, process, n)
        return parse_message(inbox, params), params

    # Warm-up, inline: every sender known, with an open conversation waiting for an agent.
    for n in range(-SENDERS_PER_PROCESS, 0):
        do_record_message(parsed(n)[0])
    Conversation.objects.filter(
        customer__identities__value__in=[sender_phone(process, n)
                                         for n in range(SENDERS_PER_PROCESS)],
        status="open",
    ).update(assignee=None)
    ready.wait()
    cpu, wall = time.process_time(), time.monotonic()
    if mode == "inline":
        for n in range(events):
            do_record_message(parsed(n)[0])
    else:
        with transaction.atomic():  # all spooled at once: the drain thread starts at commit
            for n in range(events):
                message, params = parsed(n)
                do_accept_message(message, params)
        accepted = time.monotonic()
        cpu_accepted = time.process_time()
        while SpooledEvent.objects.exists():
            time.sleep(0.005)
        out.put(("accept", accepted - wall, cpu_accepted - cpu))
    out.put((mode, time.monotonic() - wall, time.process_time() - cpu))


@dataclass(frozen=True)
class SpoolRate:
    mode: str  # "inline" or "spooled"
    processes: int
    per_second: float  # events recorded per second
    cpu_ms_per_event: float
    accept_per_second: float = 0.0  # spooled: accepted (one INSERT each) per second


def drain_leftovers() -> int:
    """Record what an earlier run left in the spool (a flood stopped before its drain
    caught up), so that this run's figure counts its own events only."""
    from spool.drain import drain_waiting
    from spool.models import SpooledEvent

    left = SpooledEvent.objects.count()
    while drain_waiting(wait=5.0):  # until nothing is due (a failed event waits its turn)
        pass
    return left


def rate(mode: str, processes: int, events: int) -> SpoolRate:
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(processes)
    out = context.Queue()
    spec = f"{uuid.uuid4().hex[:8]}:{mode}"
    workers = [context.Process(target=_worker, args=(spec, p, events, ready, out))
               for p in range(processes)]
    for worker in workers:
        worker.start()
    results = [out.get(timeout=600) for _ in range(processes * (2 if mode == "spooled" else 1))]
    for worker in workers:
        worker.join()
    done = [r for r in results if r[0] == mode]
    accepts = [r for r in results if r[0] == "accept"]
    total = events * processes
    wall = max(r[1] for r in done)
    cpu = sum(r[2] for r in done)
    accept_rate = total / max(r[1] for r in accepts) if accepts else 0.0
    return SpoolRate(mode, processes, total / wall, 1000 * cpu / total, accept_rate)
