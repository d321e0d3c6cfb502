"""N generated RFC 822 customer emails in threads, the way mail clients write them.

Used by the threading check (`bench/threading_check.py`) and the side-by-side run
(`bench/peers/`). Deterministic for a seed. Each message knows the thread it belongs
to, so a helpdesk's result can be scored: a reply that starts its own conversation,
or lands in another thread's, is a threading miss.

What varies, as in real mail: reply-all colleagues from the root's Cc; clients that
send only In-Reply-To, only References, a References list cut to root and parent, or
no thread headers at all (then only the subject and the sender say which thread);
"Re:", "RE:", "AW:", "Re: Re:" prefixes; a few replies delivered before their parent.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

SUPPORT = "support@bench.example"
TOPICS = [
    "Order {n} has not arrived", "Refund for invoice {n}", "Cannot log in since update {n}",
    "Question about plan {n}", "Damaged item in shipment {n}", "Change address for order {n}",
    "Invoice {n} charged twice", "API key {n} stopped working",
]
BODIES = [
    "Hello,\n\nI am still waiting for news about this. Could you have a look?\n\nThanks,\n{name}",
    "Hi team,\n\nAttached is what you asked for. Let me know if anything is missing.\n\n{name}",
    "Thanks for the quick answer, but the problem is still there this morning.\n\nBest,\n{name}",
    "Any update on this? We need it sorted before Friday.\n\n{name}",
]
PREFIXES = ["Re: ", "Re: ", "Re: ", "RE: ", "AW: ", "Re: Re: "]


@dataclass(frozen=True)
class GeneratedEmail:
    raw: bytes
    message_id: str
    thread: int  # the true thread: index of the root message's thread
    is_root: bool
    number: int  # its place in the thread as written (0: the root)
    sender: str
    subject: str


def generate(count: int, seed: int = 13, tag: str = "") -> list[GeneratedEmail]:
    """`count` messages in about count / 3 threads, in delivery order; `tag` makes the
    addresses and Message-IDs of one run its own (the same seed gives the same shape)."""
    rng = random.Random(seed)
    # Recent mail (the continuity window applies to subject matches): threads start a
    # few days back and each message is minutes after the last.
    at = datetime.now(UTC) - timedelta(days=4)
    out: list[GeneratedEmail] = []
    thread = 0
    while len(out) < count:
        domain = f"client{thread % 97}{tag}.example"
        customer = f"customer{thread}@{domain}"
        colleague = f"colleague{thread}@{domain}"
        subject = rng.choice(TOPICS).format(n=1000 + thread)
        cc = [colleague] if rng.random() < 0.3 else []
        replies = min(rng.choice([0, 1, 2, 2, 3, 3, 4, 5]), count - len(out) - 1)
        history: list[str] = []
        messages: list[GeneratedEmail] = []
        for n in range(replies + 1):
            at += timedelta(minutes=rng.randint(1, 90))
            message_id = f"<{thread}.{n}.{rng.getrandbits(40):x}@{domain}>"
            sender = colleague if n and cc and rng.random() < 0.4 else customer
            line = subject if n == 0 else rng.choice(PREFIXES) + subject
            message = EmailMessage()
            message["From"] = f"{sender.split('@')[0].title()} <{sender}>"
            message["To"] = SUPPORT
            if cc and sender == customer:
                message["Cc"] = ", ".join(cc)
            elif cc:
                message["Cc"] = customer
            message["Subject"] = line
            message["Date"] = format_datetime(at)
            message["Message-ID"] = message_id
            if history:
                _thread_headers(message, history, rng)
            body = rng.choice(BODIES).format(name=sender.split("@")[0].title())
            if history:
                body += "\n\nOn Mon, someone wrote:\n> earlier message\n> quoted here\n"
            message.set_content(body)
            messages.append(GeneratedEmail(message.as_bytes(), message_id, thread, n == 0, n,
                                           sender, line))
            history.append(message_id)
        # A few replies overtake their parent (delivery is not ordered across servers).
        for n in range(2, len(messages)):
            if rng.random() < 0.03:
                messages[n - 1], messages[n] = messages[n], messages[n - 1]
        out.extend(messages)
        thread += 1
    return out[:count]


def _thread_headers(message: EmailMessage, history: list[str], rng: random.Random) -> None:
    style = rng.random()
    parent = history[-1]
    if style < 0.70:  # most clients: both, the full chain
        message["In-Reply-To"] = parent
        message["References"] = " ".join(history)
    elif style < 0.80:  # only In-Reply-To
        message["In-Reply-To"] = parent
    elif style < 0.90:  # only References
        message["References"] = " ".join(history)
    elif style < 0.95:  # References cut to root and parent
        message["In-Reply-To"] = parent
        message["References"] = " ".join(dict.fromkeys([history[0], parent]))
    # else: no thread headers at all; only subject and sender tell


def true_threads(emails: list[GeneratedEmail]) -> int:
    return len({e.thread for e in emails})
