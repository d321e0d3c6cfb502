"""Threading check: N generated customer emails (bench.emails) through `receive_raw_email`,
one process, on the bench database; prints messages/s, true threads, conversations made
and every reply that did not join its thread's conversation, with its headers' shape.

    .venv/bin/python bench/threading_check.py [--count 1000]
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections import Counter
from email import message_from_bytes
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import env


def ensure_inbox() -> Any:
    from bench.emails import SUPPORT
    from conversations.models import Inbox

    inbox, _ = Inbox.objects.get_or_create(
        slug="bench-threading", defaults={"kind": "email", "name": "Bench threading",
                                          "address": SUPPORT},
    )
    return inbox


def run(count: int, emails: list[Any] | None = None, batch: int = 1) -> dict[str, Any]:
    """Ingest `count` generated emails (or `emails`) and score the threading. `batch`:
    messages received together (receive_raw_emails, as ingest_email and an IMAP poll
    take several); 1: one by one (receive_raw_email, as a webhook takes one)."""
    from django.db import connection

    from bench.emails import generate, true_threads
    from bench.peers.cpu import CpuMeter
    from channels_email.receive import receive_raw_email, receive_raw_emails

    inbox = ensure_inbox()
    if emails is None:
        emails = generate(count, tag=f"-{uuid.uuid4().hex[:6]}")
    conversation_of: dict[str, int] = {}
    started = time.perf_counter()
    with CpuMeter(connection) as cpu:
        for start in range(0, len(emails), batch):
            chunk = emails[start:start + batch]
            outcomes = (
                [receive_raw_email(chunk[0].raw, inbox=inbox, source="bench")] if batch == 1
                else receive_raw_emails([(item.raw, "bench") for item in chunk], inbox=inbox)
            )
            for item, outcome in zip(chunk, outcomes, strict=True):
                if outcome.result is None:
                    raise SystemExit(f"not recorded: {outcome.reason}")
                conversation_of[item.message_id] = outcome.result.conversation.pk
    elapsed = time.perf_counter() - started
    misses = astray(emails, conversation_of)
    conversations = len(set(conversation_of.values()))
    return {"messages": len(emails), "seconds": elapsed, "per_second": len(emails) / elapsed,
            "threads": true_threads(emails), "conversations": conversations,
            "misses": misses, "emails": emails, "conversation_of": conversation_of,
            "cpu_seconds": cpu.process, "db_cpu_seconds": cpu.database}


def astray(emails: list[Any], conversation_of: dict[str, int]) -> list[Any]:
    """Replies not in their thread's root's conversation (or ticket)."""
    root = {e.thread: conversation_of.get(e.message_id) for e in emails if e.is_root}
    return [e for e in emails if not e.is_root
            and conversation_of.get(e.message_id) != root[e.thread]]


def shape(raw: bytes) -> str:
    message = message_from_bytes(raw)
    parts = [name for name in ("In-Reply-To", "References") if message[name]]
    return "+".join(parts) or "no thread headers"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=1,
                        help="messages received together (1: one by one)")
    parser.add_argument("--verbose", action="store_true", help="print every miss's headers")
    args = parser.parse_args()
    env.setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    result = run(args.count, batch=args.batch)
    print(f"{result['messages']} emails in {result['seconds']:.1f} s "
          f"({result['per_second']:.1f}/s), {result['threads']} true threads, "
          f"{result['conversations']} conversations; CPU ms per email: "
          f"{_per_email_ms(result['cpu_seconds'], result['messages'])} in this process, "
          f"{_per_email_ms(result['db_cpu_seconds'], result['messages'])} in its database backend")
    verbose = args.verbose
    reasons: Counter[str] = Counter()
    emails = result["emails"]
    position = {e.message_id: n for n, e in enumerate(emails)}
    for item in result["misses"]:
        parents_before = [e for e in emails if e.thread == item.thread
                          and position[e.message_id] < position[item.message_id]]
        why = shape(item.raw) + ("" if parents_before and not _overtook(item, emails, position)
                                 else ", delivered before its parent")
        reasons[why] += 1
    print(f"{len(result['misses'])} replies outside their thread's conversation")
    for why, n in reasons.most_common():
        print(f"  {n:>4}  {why}")
    if verbose:
        for item in result["misses"]:
            print(f"--- thread {item.thread} #{item.number} from {item.sender}")
            print(item.raw.decode()[:600])


def _per_email_ms(seconds: float | None, messages: int) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000 / messages:.2f}"


def _overtook(item: Any, emails: list[Any], position: dict[str, int]) -> bool:
    """The reply arrived before an earlier message of its own thread."""
    return any(position[e.message_id] > position[item.message_id] for e in emails
               if e.thread == item.thread and e.number < item.number)


if __name__ == "__main__":
    main()
