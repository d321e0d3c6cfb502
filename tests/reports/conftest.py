"""A hand-computed day of conversations (Monday 2 November 2026, UTC) for the reports.

C1 email, agent_a: in 09:00, reply 09:10, resolved 10:00  (first response 600 s,
   resolution 3,600 s; one reply, nothing after it: resolved at first contact)
C2 chat, agent_a: in 09:30 (chat), reply 09:32, in 11:00 (email), reply 11:30,
   in 11:40 and 11:45 (chat), reply 12:00, resolved 12:30  (120 s, 10,800 s; the
   customer used chat and email: cross-channel; next responses 1,800 s and 1,200 s,
   the second from 11:40, the first message after the reply)
C3 sms, unassigned: in 14:00, reply 15:00, in 15:05 ("thanks"), an agent calls the
   customer 15:06 (150 s on the line), resolved 15:10  (3,600 s, 4,200 s; the customer
   wrote after the reply: not first-contact; next response 60 s, the call)
C4 email, agent_a, C1's customer: in 16:00, then calls in 16:30 (an agent talks 420 s
   of its 460 s) and 17:00 (no one answers), open  (a repeat contact; backlog)
C5 email, unassigned: in Sunday 1 Nov 20:00, reply Monday 08:00, in 08:20, reply 09:00,
   open  (first response 43,200 s counted on Monday; next response 2,400 s; backlog
   both days)
Monday: 4 new; first responses 120, 600, 3,600, 43,200 → median 2,100, p90 31,320;
resolutions 3,600, 4,200, 10,800 → median 4,200, p90 9,480; next responses 60, 1,200,
1,800, 2,400 → median 1,500, p90 2,220; handle time, written (first reply to resolution)
3,000 (C1), 10,680 (C2), 600 (C3) → average 4,760; calls 150 (C3), 420 (C4) → average
285; FCR 1/3; cross-channel 1/3; repeat contacts 1/4; backlog 2.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from conversations.models import Conversation, Interaction
from customers.models import Customer

MONDAY = date(2026, 11, 2)
SUNDAY = date(2026, 11, 1)


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


# (direction, channel, when) for a message; a call adds its meta as channels_voice
# keeps it: (direction, "voice", when, {"talk_seconds": ..., "duration_seconds": ...}).
Contact = tuple[Any, ...]


def call(direction: str, when: datetime, talk: int, duration: int) -> Contact:
    return (direction, "voice", when,
            {"talk_seconds": talk, "duration_seconds": duration, "status": "completed"})


def _conversation(customer: Customer, channel: str, team: Any, assignee: Any,
                  contacts: list[Contact], resolved: datetime | None) -> Conversation:
    messages = [c for c in contacts if len(c) == 3]
    inbound = [c[2] for c in messages if c[0] == "in"]
    # Only written replies stamp first_response_at (conversations.actions.reply).
    replies = [c[2] for c in messages if c[0] == "out"]
    conv = Conversation.objects.create(
        customer=customer, team=team, assignee=assignee,
        status="resolved" if resolved else "open",
        channels=list(dict.fromkeys(c[1] for c in contacts)),
        last_inbound_channel=channel,
        first_inbound_at=inbound[0], last_inbound_at=inbound[-1],
        first_response_at=replies[0] if replies else None, resolved_at=resolved,
        last_activity_at=max(c[2] for c in contacts),
    )
    for direction, ch, when, *meta in contacts:
        Interaction.objects.create(
            conversation=conv, customer=customer, channel=ch, direction=direction,
            kind="call" if meta else "message", meta=meta[0] if meta else {},
            occurred_at=when, text=f"{direction} {ch}",
            author_agent=(assignee or team_agent(team)) if direction == "out" else None,
            status="received" if direction == "in" else "sent",
        )
    return conv


def team_agent(team: Any) -> Any:
    return team.agents.first().user


@pytest.fixture
def report_day(settings, team_a, agent_a) -> dict[str, Conversation]:
    settings.REPORTS_TIME_ZONE = "UTC"
    settings.REPORTS_REPEAT_DAYS = 7
    ann, bob, cy, dee = (Customer.objects.create(name=n) for n in ("Ann", "Bob", "Cy", "Dee"))
    return {
        "c1": _conversation(ann, "email", team_a, agent_a,
                            [("in", "email", at(9)), ("out", "email", at(9, 10))], at(10)),
        "c2": _conversation(bob, "chat", team_a, agent_a,
                            [("in", "chat", at(9, 30)), ("out", "chat", at(9, 32)),
                             ("in", "email", at(11)), ("out", "email", at(11, 30)),
                             ("in", "chat", at(11, 40)), ("in", "chat", at(11, 45)),
                             ("out", "chat", at(12))], at(12, 30)),
        "c3": _conversation(cy, "sms", team_a, None,
                            [("in", "sms", at(14)), ("out", "sms", at(15)),
                             ("in", "sms", at(15, 5)), call("out", at(15, 6), 0, 150)],
                            at(15, 10)),
        "c4": _conversation(ann, "email", team_a, agent_a,
                            [("in", "email", at(16)), call("in", at(16, 30), 420, 460),
                             call("in", at(17), 0, 35)], None),
        "c5": _conversation(dee, "email", team_a, None,
                            [("in", "email", at(20, day=SUNDAY)), ("out", "email", at(8)),
                             ("in", "email", at(8, 20)), ("out", "email", at(9))], None),
    }


def _outcome(conv: Conversation, target: str, met: bool, decided: datetime) -> None:
    from routing.models import SLAOutcome

    row = SLAOutcome.objects.create(
        conversation=conv, target=target, channel=conv.last_inbound_channel,
        team_id=conv.team_id, started_at=conv.first_inbound_at, met=met,
        achieved_at=decided if met else None, breached_at=None if met else decided)
    SLAOutcome.objects.filter(pk=row.pk).update(created_at=decided)


@pytest.fixture
def sla_day(report_day: dict[str, Conversation]) -> dict[str, Conversation]:
    """SLA outcomes decided on Monday (and one on Sunday):
    C1 first response met 09:10; C2 first response met 09:32, next response missed 11:30;
    C3 first response missed 14:30, resolution met 15:10; C5 first response missed
    Sunday 22:00 (counted on Sunday).
    Monday: first response 2 of 3, next response 0 of 1, resolution 1 of 1: 3 of 5.
    By first channel: email 1 of 1 (C1), chat 1 of 2, sms 1 of 2."""
    c = report_day
    _outcome(c["c1"], "first_response", True, at(9, 10))
    _outcome(c["c2"], "first_response", True, at(9, 32))
    _outcome(c["c2"], "next_response", False, at(11, 30))
    _outcome(c["c3"], "first_response", False, at(14, 30))
    _outcome(c["c3"], "resolution", True, at(15, 10))
    _outcome(c["c5"], "first_response", False, at(22, day=SUNDAY))
    return c
