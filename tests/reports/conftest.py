"""A hand-computed day of conversations (Monday 2 November 2026, UTC) for the reports.

C1 email, agent_a: in 09:00, reply 09:10, resolved 10:00  (first response 600 s,
   resolution 3,600 s; one reply, nothing after it: resolved at first contact)
C2 chat, agent_a: in 09:30 (chat), reply 09:32, in 11:00 (email), reply 11:30,
   resolved 12:30  (120 s, 10,800 s; the customer used chat and email: cross-channel)
C3 sms, unassigned: in 14:00, reply 15:00, in 15:05 ("thanks"), resolved 15:10
   (3,600 s, 4,200 s; the customer wrote after the reply: not first-contact)
C4 email, agent_a, C1's customer: in 16:00, open  (a repeat contact; backlog)
C5 email, unassigned: in Sunday 1 Nov 20:00, reply Monday 08:00, open
   (first response 43,200 s counted on Monday; backlog both days)
Monday: 4 new; first responses 120, 600, 3,600, 43,200 → median 2,100, p90 31,320;
resolutions 3,600, 4,200, 10,800 → median 4,200, p90 9,480; FCR 1/3; cross-channel 1/3;
repeat contacts 1/4; backlog 2.
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


def _conversation(customer: Customer, channel: str, team: Any, assignee: Any,
                  contacts: list[tuple[str, str, datetime]],
                  resolved: datetime | None) -> Conversation:
    inbound = [when for direction, _, when in contacts if direction == "in"]
    replies = [when for direction, _, when in contacts if direction == "out"]
    conv = Conversation.objects.create(
        customer=customer, team=team, assignee=assignee,
        status="resolved" if resolved else "open",
        channels=list(dict.fromkeys(c for _, c, _ in contacts)),
        last_inbound_channel=channel,
        first_inbound_at=inbound[0], last_inbound_at=inbound[-1],
        first_response_at=replies[0] if replies else None, resolved_at=resolved,
        last_activity_at=max(when for _, _, when in contacts),
    )
    for direction, ch, when in contacts:
        Interaction.objects.create(
            conversation=conv, customer=customer, channel=ch, direction=direction,
            kind="message", occurred_at=when, text=f"{direction} {ch}",
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
                             ("in", "email", at(11)), ("out", "email", at(11, 30))], at(12, 30)),
        "c3": _conversation(cy, "sms", team_a, None,
                            [("in", "sms", at(14)), ("out", "sms", at(15)),
                             ("in", "sms", at(15, 5))], at(15, 10)),
        "c4": _conversation(ann, "email", team_a, agent_a, [("in", "email", at(16))], None),
        "c5": _conversation(dee, "email", team_a, None,
                            [("in", "email", at(20, day=SUNDAY)), ("out", "email", at(8))], None),
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
