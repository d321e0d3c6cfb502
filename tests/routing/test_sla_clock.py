"""SLA clocks to the second, with frozen time: business hours over a weekend, a holiday
and a DST change, a pause while pending, a conversation moving from chat to email, a
priority override; outcomes recorded as rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from conversations.actions.ingest import do_record_inbound
from conversations.actions.reply import do_record_sent_reply, do_send_reply
from conversations.actions.update import do_update_conversation
from conversations.models import Conversation
from conversations.payloads import conversation_payload
from customers.actions.profile import do_add_identity
from routing.calendar import add_business_time, business_seconds_between
from routing.models import BusinessHours, ConversationSLA, SLAOutcome, SLAPolicy
from tests.factories import inbound

pytestmark = pytest.mark.django_db

WEEKDAYS_9_TO_5 = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def berlin() -> BusinessHours:
    return BusinessHours.objects.create(
        name="Berlin office", timezone="Europe/Berlin", weekly_hours=WEEKDAYS_9_TO_5,
        holiday_country="DE", holiday_subdivision="BE", closed_dates=["2026-12-24"],
    )


def _mail(email_inbox, text="Hello", sender="ana@example.com"):
    return do_record_inbound(inbound(email_inbox, "email", "email", sender, text)).conversation


def _clock(conversation) -> ConversationSLA:
    return ConversationSLA.objects.get(conversation=conversation)


def test_a_weekend_and_a_dst_change_in_business_hours(berlin):
    calendar = berlin.calendar()
    # Friday 27 March 2026, 16:00 in Berlin (CET, UTC+1); DST starts on Sunday 29 March.
    friday = utc(2026, 3, 27, 15, 0)
    # 1 h on Friday, then Monday from 09:00 CEST (UTC+2) for 3 h: 12:00 CEST = 10:00 UTC.
    assert add_business_time(friday, 4 * 3600, calendar) == utc(2026, 3, 30, 10, 0)
    assert business_seconds_between(friday, utc(2026, 3, 30, 10, 0), calendar) == 4 * 3600
    # Outside hours the clock starts at the next opening.
    assert add_business_time(utc(2026, 3, 28, 12, 0), 60, calendar) == utc(2026, 3, 30, 7, 1)


def test_a_holiday_and_a_custom_closed_date(berlin):
    calendar = berlin.calendar()
    # Wednesday 23 Dec 16:00 CET: 1 h that day; 24 Dec closed (custom), 25 and 26 Dec
    # public holidays, then the weekend: Monday 28 Dec 09:00 + 3 h = 12:00 CET.
    assert add_business_time(utc(2026, 12, 23, 15, 0), 4 * 3600, calendar) == utc(
        2026, 12, 28, 11, 0)


def test_business_hours_refuse_what_cannot_be_read():
    from django.core.exceptions import ValidationError

    for bad in ({"mon": [["17:00", "09:00"]]}, {"funday": [["09:00", "17:00"]]}, {}):
        with pytest.raises(ValidationError):
            BusinessHours(name="x", weekly_hours=bad).clean()
    with pytest.raises(ValidationError):
        BusinessHours(name="x", timezone="Mars/Olympus", weekly_hours=WEEKDAYS_9_TO_5).clean()


def test_an_inbound_sets_the_due_time_in_its_own_transaction_from_the_policy(
    email_inbox, berlin
):
    SLAPolicy.objects.create(name="Email", channel="email", first_response_seconds=4 * 3600,
                             business_hours=berlin, pause_outside_hours=True)
    with time_machine.travel(utc(2026, 3, 27, 15, 0), tick=False):
        conversation = _mail(email_inbox)
    stored = Conversation.objects.get(pk=conversation.pk)
    assert stored.first_response_due_at == utc(2026, 3, 30, 10, 0)
    clock = _clock(conversation)
    assert (clock.target, clock.channel, clock.state, clock.due_at, clock.warn_at) == (
        "first_response", "email", "running", utc(2026, 3, 30, 10, 0), utc(2026, 3, 30, 9, 0))
    assert conversation_payload(stored)["sla"] == {
        "target": "first_response", "channel": "email",
        "due_at": "2026-03-30T10:00:00+00:00", "warn_at": "2026-03-30T09:00:00+00:00",
        "state": "running", "breached_at": None, "started_at": "2026-03-27T15:00:00+00:00",
        "resolution_due_at": None,
        "resolution_warn_at": None,
        "resolution_breached_at": None,
    }


def test_the_channel_default_applies_without_a_policy(email_inbox):
    start = utc(2026, 6, 1, 8, 0)
    with time_machine.travel(start, tick=False):
        conversation = _mail(email_inbox)
    assert _clock(conversation).due_at == start + timedelta(hours=4)
    assert _clock(conversation).warn_at == start + timedelta(hours=3)


def test_pending_pauses_the_clock_and_open_resumes_it(email_inbox, lead):
    start = utc(2026, 6, 1, 8, 0)
    with time_machine.travel(start, tick=False) as clock:
        conversation = _mail(email_inbox)
        clock.shift(timedelta(hours=1))
        do_update_conversation(conversation, by=lead, changes={"status": "pending"})
        paused = _clock(conversation)
        assert (paused.state, paused.consumed_seconds, paused.due_at, paused.next_check_at) == (
            "paused", 3600.0, None, None)
        clock.shift(timedelta(hours=2))
        do_update_conversation(conversation, by=lead, changes={"status": "open"})
    resumed = _clock(conversation)
    # 3 h of the 4 left from 11:00.
    assert (resumed.state, resumed.due_at) == ("running", start + timedelta(hours=6))
    assert Conversation.objects.get(pk=conversation.pk).first_response_due_at == (
        start + timedelta(hours=6))


def test_a_conversation_moving_from_chat_to_email_changes_target(chat_inbox, email_inbox, lead):
    start = utc(2026, 6, 1, 8, 0)
    with time_machine.travel(start, tick=False) as clock:
        chat = do_record_inbound(
            inbound(chat_inbox, "chat", "chat", "visitor-ana", "Hi there")).conversation
        assert (_clock(chat).channel, _clock(chat).due_at) == (
            "chat", start + timedelta(seconds=40))
        clock.shift(timedelta(seconds=10))
        do_record_sent_reply(conversation=chat, author=lead, text="Hello!", channel="chat",
                             at=start + timedelta(seconds=10))
        assert _clock(chat).state == "met"
        do_add_identity(chat.customer, "email", "ana@example.com")
        clock.shift(timedelta(minutes=5))
        mail = _mail(email_inbox, "Following up by mail")
    assert mail.pk == chat.pk
    moved = _clock(chat)
    assert (moved.target, moved.channel, moved.due_at) == (
        "next_response", "email", start + timedelta(minutes=5, seconds=10, hours=4))
    assert Conversation.objects.get(pk=chat.pk).next_response_due_at == moved.due_at
    [outcome] = SLAOutcome.objects.all()
    assert (outcome.target, outcome.channel, outcome.met, outcome.started_at,
            outcome.achieved_at, outcome.due_at) == (
        "first_response", "chat", True, start, start + timedelta(seconds=10),
        start + timedelta(seconds=40))


def test_the_oldest_unanswered_inbound_keeps_its_channels_clock(chat_inbox, email_inbox):
    start = utc(2026, 6, 1, 8, 0)
    with time_machine.travel(start, tick=False) as clock:
        chat = do_record_inbound(
            inbound(chat_inbox, "chat", "chat", "visitor-bo", "Hi there")).conversation
        do_add_identity(chat.customer, "email", "bo@example.com")
        clock.shift(timedelta(seconds=20))
        _mail(email_inbox, "Also by mail", sender="bo@example.com")
    assert (_clock(chat).channel, _clock(chat).due_at) == ("chat", start + timedelta(seconds=40))


def test_a_priority_override_and_a_priority_change(email_inbox, lead):
    SLAPolicy.objects.create(name="Email", channel="email", first_response_seconds=4 * 3600)
    SLAPolicy.objects.create(name="Urgent email", channel="email", priority=3,
                             first_response_seconds=3600, warn_percent=50)
    start = utc(2026, 6, 1, 8, 0)
    with time_machine.travel(start, tick=False) as clock:
        conversation = _mail(email_inbox)
        assert _clock(conversation).due_at == start + timedelta(hours=4)
        clock.shift(timedelta(minutes=10))
        do_update_conversation(conversation, by=lead, changes={"priority": 3})
    urgent = _clock(conversation)
    assert (urgent.due_at, urgent.warn_at, urgent.target_seconds) == (
        start + timedelta(hours=1), start + timedelta(minutes=30), 3600)


def test_a_customer_tier_override(email_inbox):
    SLAPolicy.objects.create(name="Gold", customer_tier="gold", first_response_seconds=600)
    start = utc(2026, 6, 1, 8, 0)
    with time_machine.travel(start, tick=False):
        first = _mail(email_inbox)
        first.customer.attributes = {"tier": "gold"}
        first.customer.save()
        _mail(email_inbox, "again")  # recomputed with the customer's tier
    assert _clock(first).due_at == start + timedelta(minutes=10)


def test_a_late_answer_is_a_missed_outcome_and_resolution_is_measured(email_inbox, lead):
    SLAPolicy.objects.create(name="Email", channel="email", first_response_seconds=600,
                             resolution_seconds=3600)
    start = utc(2026, 6, 1, 8, 0)
    with time_machine.travel(start, tick=False) as clock:
        conversation = _mail(email_inbox)
        clock.shift(timedelta(minutes=11))
        do_send_reply(conversation=conversation, author=lead, text="Sorry", channel="email")
        clock.shift(timedelta(minutes=10))
        do_update_conversation(conversation, by=lead, changes={"status": "resolved"})
    outcomes = {o.target: (o.met, o.achieved_at) for o in SLAOutcome.objects.all()}
    assert outcomes == {
        "first_response": (False, start + timedelta(minutes=11)),
        "resolution": (True, start + timedelta(minutes=21)),
    }


def test_the_lists_sla_filter_reads_the_clocks_business_time_warning(email_inbox, berlin, lead):
    from django.http import QueryDict

    from workspace.queries import InboxFilters, inbox_rows

    SLAPolicy.objects.create(name="Email", channel="email", first_response_seconds=4 * 3600,
                             business_hours=berlin)
    with time_machine.travel(utc(2026, 3, 27, 15, 0), tick=False):
        conversation = _mail(email_inbox)  # due Monday 10:00 UTC, at risk from 09:00 UTC

    def ids(state: str) -> list[int]:
        filters = InboxFilters.parse(QueryDict(f"sla={state}"), lead)
        return [c.pk for c in inbox_rows(lead, filters)]

    # Sunday evening: 3/4 of the wall-clock time has passed, not of the business time.
    with time_machine.travel(utc(2026, 3, 29, 20, 0), tick=False):
        assert (ids("at_risk"), ids("ok")) == ([], [conversation.pk])
    with time_machine.travel(utc(2026, 3, 30, 9, 30), tick=False):
        assert (ids("at_risk"), ids("ok")) == ([conversation.pk], [])
    with time_machine.travel(utc(2026, 3, 30, 10, 0), tick=False):
        assert ids("breached") == [conversation.pk]
