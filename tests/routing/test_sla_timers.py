"""The SLA timer sweep: at risk at the warning moment, breached at the due time, once
each, with timeline events, realtime events to the team and the leads, an outcome row
and the policy's escalation; a real worker and beat notice a 10 s target on a socket."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from asgiref.sync import sync_to_async
from celery.beat import EmbeddedService
from django.db import connection, transaction

from conversations.actions.ingest import do_record_inbound
from conversations.actions.update import do_update_conversation
from conversations.models import Conversation, Interaction
from realtime.models import RealtimeEvent
from routing.actions.timers import do_sweep_sla
from routing.models import ConversationSLA, SLAOutcome, SLAPolicy
from tests.factories import inbound
from tests.realtime_helpers import connect_agent_socket, receive_events, session_cookie_for

START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def _mail(email_inbox, sender="ana@example.com"):
    return do_record_inbound(inbound(email_inbox, "email", "email", sender, "Hi")).conversation


def _timeline(conversation) -> list[str]:
    return list(
        Interaction.objects.filter(conversation=conversation, event_type__startswith="sla_")
        .order_by("id").values_list("text", flat=True)
    )


def _sla_events() -> list[tuple[str, int, str, list[str]]]:
    return [
        (e.name, e.payload["id"], e.payload["sla"]["state"],
         sorted(e.groups.values_list("group", flat=True)))
        for e in RealtimeEvent.objects.filter(name__startswith="sla.").order_by("id")
    ]


@pytest.fixture(params=["sql", "portable"])
def claim(request, monkeypatch):
    """Each sweep test runs with PostgreSQL's one-statement claim and with the portable
    one SQLite (the embedded default) uses."""
    from routing.actions import timers

    if request.param == "portable":
        monkeypatch.setattr(timers, "CLAIMS", {})
    return request.param


@pytest.mark.django_db
@pytest.mark.usefixtures("claim")
def test_at_risk_then_breached_once_each(email_inbox, team_a):
    SLAPolicy.objects.create(name="Email", channel="email", first_response_seconds=600)
    with time_machine.travel(START, tick=False) as clock:
        conversation = _mail(email_inbox)
        clock.shift(timedelta(seconds=449))
        assert do_sweep_sla() == 0
        clock.shift(timedelta(seconds=1))  # 450 s: 75 % of the target
        assert do_sweep_sla() == 1
        assert do_sweep_sla() == 0
        clock.shift(timedelta(seconds=150))  # the due time
        assert do_sweep_sla() == 1
        assert do_sweep_sla() == 0
    clock_row = ConversationSLA.objects.get(conversation=conversation)
    assert (clock_row.state, clock_row.at_risk_at, clock_row.breached_at,
            clock_row.next_check_at) == (
        "breached", START + timedelta(seconds=450), START + timedelta(seconds=600), None)
    assert _timeline(conversation) == [
        "The first response target on email is at risk (due 08:10:00)",
        "The first response target on email was breached (leads notified)",
    ]
    team = f"team.{team_a.pk}"
    assert _sla_events() == [
        ("sla.at_risk", conversation.pk, "at_risk", ["staff", team]),
        ("sla.breached", conversation.pk, "breached", ["staff", team]),
    ]
    [outcome] = SLAOutcome.objects.all()
    assert (outcome.met, outcome.breached_at, outcome.due_at, outcome.team_id) == (
        False, START + timedelta(seconds=600), START + timedelta(seconds=600), team_a.pk)


@pytest.mark.usefixtures("claim")
@pytest.mark.django_db
def test_escalation_raises_the_priority(email_inbox):
    SLAPolicy.objects.create(name="Email", channel="email", first_response_seconds=60,
                             escalate_notify_lead=False, escalate_raise_priority=True)
    with time_machine.travel(START, tick=False) as clock:
        conversation = _mail(email_inbox)
        clock.shift(timedelta(seconds=60))
        assert do_sweep_sla() == 1
    assert Conversation.objects.get(pk=conversation.pk).priority == 2
    assert _timeline(conversation) == [
        "The first response target on email was breached (priority raised)"]
    assert list(Interaction.objects.filter(event_type="priority_changed").values_list(
        "text", "meta")) == [("omnidesk set the priority to High", {"from": 1, "to": 2})]
    [updated] = RealtimeEvent.objects.filter(name="conversation.updated",
                                             payload__priority=2)
    assert updated.payload["sla"]["state"] == "breached"
    assert ConversationSLA.objects.get(conversation=conversation).state == "breached"


@pytest.mark.django_db
def test_a_paused_clock_is_not_swept_and_sweeps_read_due_rows_only(
    email_inbox, lead, django_assert_max_num_queries
):
    with time_machine.travel(START, tick=False) as clock:
        paused = _mail(email_inbox)
        do_update_conversation(paused, by=lead, changes={"status": "pending"})
        for i in range(5):
            _mail(email_inbox, sender=f"later{i}@example.com")
        clock.shift(timedelta(hours=5))
        # The claim statement, inside its savepoint (the test's transaction).
        with django_assert_max_num_queries(3):
            assert do_sweep_sla(now=START + timedelta(minutes=1)) == 0
        assert do_sweep_sla() == 5
    assert ConversationSLA.objects.get(conversation=paused).state == "paused"


def _sweep_in_two_threads(limit: int) -> list[int]:
    """Two sweeps at once, each in its own connection, each looping until nothing is
    due; returns how many each recorded."""
    barrier = threading.Barrier(2)
    done = [0, 0]

    def sweep(slot: int) -> None:
        try:
            barrier.wait()
            while (n := do_sweep_sla(limit=limit)):
                done[slot] += n
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_warn_and_breach_each_clock_exactly_once(email_inbox, team_a):
    SLAPolicy.objects.create(name="Email", channel="email", first_response_seconds=600)
    n = 60
    with time_machine.travel(START, tick=False) as clock:
        ids = {_mail(email_inbox, sender=f"c{i}@example.com").pk for i in range(n)}
        clock.shift(timedelta(seconds=450))
        warned = _sweep_in_two_threads(limit=7)
        clock.shift(timedelta(seconds=150))
        breached = _sweep_in_two_threads(limit=7)
    assert sum(warned) == n and sum(breached) == n
    print(f"\nwarnings per sweep {warned}, breaches per sweep {breached}")
    rows = list(Interaction.objects.filter(event_type__startswith="sla_")
                .values_list("conversation_id", "event_type"))
    assert sorted(rows) == sorted(
        [(i, "sla_at_risk") for i in ids] + [(i, "sla_breached") for i in ids])
    assert sorted(SLAOutcome.objects.values_list("conversation_id", flat=True)) == sorted(ids)
    names = list(RealtimeEvent.objects.filter(name__startswith="sla.")
                 .values_list("payload__id", "name"))
    assert sorted(names) == sorted(
        [(i, "sla.at_risk") for i in ids] + [(i, "sla.breached") for i in ids])
    assert set(ConversationSLA.objects.values_list("state", "next_check_at")) == {
        ("breached", None)}


@pytest.mark.django_db(transaction=True)
def test_a_sweep_skips_a_conversation_locked_by_a_change_and_takes_it_next_time(
    email_inbox,
):
    """A clock whose conversation is being changed (row locked by another connection) is
    left to the next sweep, never waited for."""
    with time_machine.travel(START, tick=False) as clock:
        first = _mail(email_inbox, sender="a@example.com")
        second = _mail(email_inbox, sender="b@example.com")
        clock.shift(timedelta(hours=4))
        locked = threading.Event()
        release = threading.Event()

        def hold() -> None:
            try:
                with transaction.atomic():
                    Conversation.objects.select_for_update().get(pk=first.pk)
                    locked.set()
                    release.wait(10)
            finally:
                connection.close()

        holder = threading.Thread(target=hold)
        holder.start()
        locked.wait(10)
        try:
            handled = do_sweep_sla()
        finally:
            release.set()
            holder.join()
        assert handled == 1
        assert ConversationSLA.objects.get(conversation=second).state == "breached"
        assert do_sweep_sla() == 1
        assert ConversationSLA.objects.get(conversation=first).state == "breached"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("celery_worker")
def test_a_real_worker_and_beat_warn_before_and_breach_within_5_s_on_a_leads_socket(
    email_inbox, lead, settings, tmp_path
):
    from omnidesk.celery import app

    SLAPolicy.objects.create(name="Fast email", channel="email", first_response_seconds=10)
    cookie = session_cookie_for(lead)
    beat = EmbeddedService(app, thread=True, schedule_filename=str(tmp_path / "beat"))
    beat.start()

    async def scenario() -> dict[str, float]:
        sock = await connect_agent_socket(cookie)
        assert (await sock.connect())[0]
        await sock.receive_json_from()
        conversation = await sync_to_async(_mail)(email_inbox)
        due = (await sync_to_async(ConversationSLA.objects.get)(
            conversation=conversation)).due_at
        seen: dict[str, float] = {}
        while "sla.breached" not in seen:
            [event] = await receive_events(sock, 1, timeout=20)
            if event["event"].startswith("sla."):
                assert event["data"]["id"] == conversation.pk
                seen[event["event"]] = time.time() - due.timestamp()
        await sock.disconnect()
        return seen

    try:
        seen = asyncio.run(scenario())
    finally:
        beat.stop()
    print(f"\nat risk {-seen['sla.at_risk']:.2f} s before due, breach seen "
          f"{seen['sla.breached']:.2f} s after due")
    assert seen["sla.at_risk"] < 0  # before the due time
    assert 0 <= seen["sla.breached"] <= 5
    texts = list(Interaction.objects.filter(event_type__startswith="sla_")
                 .order_by("id").values_list("event_type", flat=True))
    assert texts == ["sla_at_risk", "sla_breached"]


@pytest.mark.usefixtures("claim")
@pytest.mark.django_db
def test_the_resolution_target_warns_and_breaches_and_pauses_while_pending(
    email_inbox, lead, team_a
):
    """Resolution 1 h (warn at 45 min), first response 2 h: answered at once, then 10 min
    pending on the customer push the resolution due time out by 10 min."""
    SLAPolicy.objects.create(name="Email", channel="email", first_response_seconds=7200,
                             resolution_seconds=3600)
    with time_machine.travel(START, tick=False) as clock:
        conversation = _mail(email_inbox)
        do_update_conversation(conversation, by=lead, changes={"status": "pending"})
        clock.shift(timedelta(minutes=10))
        do_update_conversation(conversation, by=lead, changes={"status": "open"})
        row = ConversationSLA.objects.get(conversation=conversation)
        assert (row.resolution_due_at, row.resolution_warn_at, row.next_check_at) == (
            START + timedelta(minutes=70), START + timedelta(minutes=55),
            START + timedelta(minutes=55))
        clock.move_to(START + timedelta(minutes=55))
        assert do_sweep_sla() == 1
        clock.move_to(START + timedelta(minutes=70))
        assert do_sweep_sla() == 1
        assert do_sweep_sla() == 0
        clock.shift(timedelta(minutes=5))
        do_update_conversation(conversation, by=lead, changes={"status": "resolved"})
    assert _timeline(conversation) == [
        "The resolution target on email is at risk (due 09:10:00)",
        "The resolution target on email was breached (leads notified)",
    ]
    [outcome] = SLAOutcome.objects.filter(target="resolution")
    assert (outcome.met, outcome.breached_at, outcome.achieved_at, outcome.started_at) == (
        False, START + timedelta(minutes=70), START + timedelta(minutes=75), START)
    row = ConversationSLA.objects.get(conversation=conversation)
    assert (row.resolution_started_at, row.next_check_at, row.resolution_breached_at) == (
        None, None, START + timedelta(minutes=70))
    assert [e.payload["sla"]["resolution_breached_at"] for e in RealtimeEvent.objects.filter(
        name="sla.breached")] == [(START + timedelta(minutes=70)).isoformat()]


@pytest.mark.django_db
def test_a_reopened_conversation_runs_a_new_resolution_target_from_the_reopen(
    email_inbox, lead
):
    SLAPolicy.objects.create(name="Email", channel="email", first_response_seconds=7200,
                             resolution_seconds=3600)
    with time_machine.travel(START, tick=False) as clock:
        conversation = _mail(email_inbox)
        clock.shift(timedelta(minutes=30))
        do_update_conversation(conversation, by=lead, changes={"status": "resolved"})
        clock.shift(timedelta(hours=5))
        do_update_conversation(conversation, by=lead, changes={"status": "open"})
    row = ConversationSLA.objects.get(conversation=conversation)
    reopened = START + timedelta(hours=5, minutes=30)
    assert (row.resolution_started_at, row.resolution_due_at) == (
        reopened, reopened + timedelta(hours=1))
    assert list(SLAOutcome.objects.filter(target="resolution").values_list("met", "started_at")
                ) == [(True, START)]
