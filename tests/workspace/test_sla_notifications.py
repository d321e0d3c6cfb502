"""routing's SLA warnings and breaches become the workspace's notifications: for the
assignee, or the team's agents while unassigned; kept across reloads, live to each agent
alone; the chip reads the clock's state from the conversation payload's `sla`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine

from conversations.actions.ingest import do_record_inbound
from conversations.actions.update import do_update_conversation
from conversations.models import Conversation
from realtime.models import RealtimeEvent
from routing.actions.timers import do_sweep_sla
from routing.models import SLAPolicy
from tests.conftest import make_user
from tests.factories import inbound
from workspace.models import Notification
from workspace.sla import Sla, sla_of

START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def _mail(email_inbox):
    return do_record_inbound(inbound(email_inbox, "email", "email", "ana@example.com", "Hi")
                             ).conversation


def _notifications():
    return list(Notification.objects.order_by("id").values_list("recipient__username", "kind",
                                                                "text"))


@pytest.mark.django_db
def test_unassigned_the_teams_agents_are_told_at_risk_then_breached(
    email_inbox, team_a, agent_a, agent_b, lead, signed_in
):
    colleague = make_user("colleague_a", "agent", [team_a])
    SLAPolicy.objects.create(name="Email", channel="email", first_response_seconds=600)
    with time_machine.travel(START, tick=False) as clock:
        conversation = _mail(email_inbox)
        clock.shift(timedelta(seconds=450))
        assert do_sweep_sla() == 1
        clock.shift(timedelta(seconds=150))
        assert do_sweep_sla() == 1
    name = f"conversation #{conversation.pk}"
    risk = f"SLA at risk: {name}. The first response target on email is at risk (due 08:10:00)"
    breach = f"SLA breached: {name}. The first response target on email was breached " \
             "(leads notified)"
    assert _notifications() == [
        ("agent_a", "sla_at_risk", risk), ("colleague_a", "sla_at_risk", risk),
        ("agent_a", "sla_breached", breach), ("colleague_a", "sla_breached", breach),
    ]
    live = [(e.payload["kind"], sorted(e.groups.values_list("group", flat=True)))
            for e in RealtimeEvent.objects.filter(name="notification.created").order_by("id")]
    assert live == [
        ("sla_at_risk", [f"agent.{agent_a.pk}"]), ("sla_at_risk", [f"agent.{colleague.pk}"]),
        ("sla_breached", [f"agent.{agent_a.pk}"]), ("sla_breached", [f"agent.{colleague.pk}"]),
    ]
    html = signed_in(agent_a).get("/notifications/").content.decode()
    assert html.count("SLA breached: conversation") == 1
    assert html.count("SLA at risk: conversation") == 1
    assert signed_in(agent_b).get("/notifications/").content.decode().count("notif ") == 0


@pytest.mark.django_db
def test_assigned_only_the_assignee_is_told(email_inbox, team_a, agent_a, lead):
    make_user("colleague_a", "agent", [team_a])
    SLAPolicy.objects.create(name="Email", channel="email", first_response_seconds=600)
    with time_machine.travel(START, tick=False) as clock:
        conversation = _mail(email_inbox)
        do_update_conversation(conversation, by=lead, changes={"assignee": agent_a})
        Notification.objects.all().delete()
        clock.shift(timedelta(seconds=450))
        assert do_sweep_sla() == 1
    assert [(u, k) for u, k, _ in _notifications()] == [("agent_a", "sla_at_risk")]


@pytest.mark.django_db
def test_the_chip_reads_the_clock_from_the_payload(email_inbox, team_a, agent_a, signed_in):
    SLAPolicy.objects.create(name="Email", channel="email", first_response_seconds=600)
    with time_machine.travel(START, tick=False) as clock:
        conversation = _mail(email_inbox)
        clock.shift(timedelta(seconds=450))
        do_sweep_sla()
        loaded = Conversation.objects.select_related("sla_clock").get(pk=conversation.pk)
        due = START + timedelta(seconds=600)
        assert sla_of(loaded) == Sla("at_risk", due, START + timedelta(seconds=450))
        url = f"/inbox/rows/{conversation.pk}/?view=my_teams"
        row = signed_in(agent_a).get(url).content.decode()
        assert 'data-sla-state="at_risk"' in row
    states = {"running": "ok", "at_risk": "at_risk", "breached": "breached",
              "paused": "paused", "met": "met"}
    for clock_state, chip in states.items():
        given = SimpleNamespace(status="open", sla={
            "state": clock_state, "due_at": "2026-06-01T08:10:00+00:00",
            "warn_at": "2026-06-01T08:07:30+00:00"})
        assert sla_of(given).state == chip
    assert sla_of(given).due is None  # met: nothing due any more
    resolved = SimpleNamespace(status="resolved", sla={"state": "breached", "due_at": None})
    assert sla_of(resolved) == Sla("")
