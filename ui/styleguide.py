"""Sample content for the style guide: made up here, never read from the database, so the
page shows every state whatever data an install holds."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from django.utils import timezone


def _rows(now: datetime) -> list[SimpleNamespace]:
    def row(**kw: object) -> SimpleNamespace:
        base: dict[str, object] = {
            "href": "#", "tags": [], "unread": False, "selected": False,
            "assignee": None, "sla_due": None, "sla_state": "",
        }
        return SimpleNamespace(**{**base, **kw})

    return [
        row(id=1042, name="Dana Reyes", time=now - timedelta(minutes=3),
            preview="Still no refund for order #20418, it has been two weeks now.",
            channels=["chat", "email"], waiting="chat", assignee="Sam Carter",
            tags=["refund", "vip"], sla_state="at_risk", sla_due=now + timedelta(minutes=4),
            unread=True),
        row(id=1041, name="Marcus Webb", time=now - timedelta(minutes=12),
            preview="Thanks! That fixed the login problem on my phone.",
            channels=["sms"], waiting="sms", assignee="Jordan Blake",
            sla_state="ok", sla_due=now + timedelta(minutes=48), selected=True),
        row(id=1039, name="Aisha Okafor", time=now - timedelta(hours=2),
            preview="Voicemail (0:42): calling about the invoice INV-2025-4471, please call back",
            channels=["voice", "email", "whatsapp"], waiting="voice", tags=["billing"],
            sla_state="breached", sla_due=now - timedelta(minutes=37), unread=True),
        row(id=1033, name="Tom Lindqvist", time=now - timedelta(hours=5),
            preview="Waiting on the customer: sent the return label.",
            channels=["whatsapp"], assignee="Priya Raman", sla_state="paused"),
        row(id=1020, name="orders-bot@shop.example", time=now - timedelta(days=3),
            preview="Order sync failed for 3 orders (API)", channels=["api"],
            assignee="Sam Carter", tags=["integration", "sync", "orders"], sla_state="met"),
    ]


def _timeline(now: datetime) -> list[SimpleNamespace]:
    def item(**kw: object) -> SimpleNamespace:
        base: dict[str, object] = {
            "kind": "message", "direction": "in", "channel": "chat", "subject": "",
            "body": "", "quoted": "", "status": "", "attachments": [], "tone": "",
        }
        return SimpleNamespace(**{**base, **kw})

    return [
        item(kind="day", text="Yesterday"),
        item(author="Dana Reyes", channel="chat", time=now - timedelta(days=1, hours=2),
             body="Hi, I returned order #20418 two weeks ago and still have no refund."),
        item(kind="event", icon="user-check", time=now - timedelta(days=1, hours=2),
             text="Assigned to Sam Carter by rule “VIP refunds”"),
        item(direction="out", author="Sam Carter", channel="chat", status="read",
             time=now - timedelta(days=1, hours=1, minutes=58),
             body="Sorry about that, Dana. Let me check with our warehouse."),
        item(kind="note", author="Sam Carter", time=now - timedelta(days=1, hours=1),
             body="@Jordan can you look at the return scan for #20418? Customer is VIP."),
        item(kind="switch", from_channel="chat", to_channel="email",
             time=now - timedelta(hours=3), text="Customer switched from chat to email"),
        item(kind="day", text="Today"),
        item(author="Dana Reyes", channel="email", time=now - timedelta(hours=3),
             subject="Re: Refund for order #20418",
             body="Hello again, I still see nothing on my card. Can you confirm the refund?",
             quoted="On Mon, Sam Carter wrote:\n> Sorry about that, Dana. Let me check with "
                    "our warehouse.\n> Best, Sam",
             attachments=["card-statement.pdf"]),
        item(kind="call", direction="in", author="Dana Reyes", channel="voice",
             time=now - timedelta(minutes=40), text="Inbound call, answered by Sam Carter",
             duration="4:12"),
        item(kind="event", icon="octagon-alert", tone="danger", time=now - timedelta(minutes=20),
             text="First-response SLA breached on email"),
        item(kind="new", text="New since you last looked"),
        item(direction="out", author="Sam Carter", channel="email", status="failed",
             time=now - timedelta(minutes=2), subject="Re: Refund for order #20418",
             body="The refund went out this morning; it shows on your card in 3 to 5 days.",
             failure="Mailbox unavailable (550 5.1.1)"),
        item(direction="out", author="Sam Carter", channel="email", status="sending",
             time=now, body="Here is the receipt as well."),
    ]


def context() -> dict[str, object]:
    now = timezone.now()
    return {
        "sample_rows": _rows(now),
        "sample_timeline": _timeline(now),
        "sample_now": now,
        "sample_due_soon": now + timedelta(minutes=4),
        "sample_due_later": now + timedelta(hours=2, minutes=10),
        "sample_overdue": now - timedelta(minutes=37),
        "sample_times": [
            now - timedelta(seconds=20), now - timedelta(minutes=3), now - timedelta(hours=5),
            now - timedelta(days=2), now - timedelta(days=40), now + timedelta(minutes=25),
        ],
        "sample_people": ["Sam Carter", "Jordan Blake", "Priya Raman", "Morgan Ellis",
                          "Dana Reyes", "Kenji Watanabe", "Cher", "李 小龍"],
        "sample_unavailable": [
            "WhatsApp: the 24-hour window closed 2 h ago; send an approved template instead.",
        ],
        "sample_channels": [("email", "Email · dana.reyes@example.com"),
                            ("chat", "Chat · website widget"),
                            ("sms", "SMS · +1 415 555 0100"),
                            ("whatsapp", "WhatsApp · +1 415 555 0100")],
    }
