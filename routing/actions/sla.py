"""The SLA clock, kept in the transaction of the change that moves it: an inbound, a
reply, a status or priority change (conversations.hooks.after_change)."""

from __future__ import annotations

from operator import attrgetter

from django.db import transaction
from django.utils import timezone

from conversations.models import Conversation, ConversationStatus
from conversations.notify import notify_conversation
from omnidesk.fastsql import insert_row, update_row
from routing.clock import Ended, end_resolution, reconcile
from routing.models import ConversationSLA, SLAOutcome, Target
from routing.policies import targets_for


def tier_of(conversation: Conversation) -> str:
    attributes = conversation.customer.attributes
    tier = attributes.get("tier") if isinstance(attributes, dict) else None
    return str(tier) if tier is not None else ""


def keep_clock(conversation: Conversation) -> None:
    """conversations.hooks.after_change."""
    keep_clock_of(conversation)


def keep_clock_of(conversation: Conversation) -> ConversationSLA:
    """Bring the (locked, saved) conversation's clock up to date; writes the clock, the
    outcome of a target that ended, and the conversation's due times (on the instance
    too, so the payload the caller publishes next carries them)."""
    now = timezone.now()
    try:
        clock = conversation.sla_clock  # type: ignore[attr-defined]
        created = False
    except ConversationSLA.DoesNotExist:
        clock = ConversationSLA(conversation=conversation)
        created = True
    channel = conversation.awaiting_channel or clock.channel or conversation.last_inbound_channel
    targets = targets_for(channel, conversation.priority, tier_of(conversation))
    before = _fields(clock)
    ended = reconcile(clock, conversation, targets, now)
    if ended is not None:
        _record_answer(conversation, ended)
    if conversation.status == ConversationStatus.RESOLVED and clock.resolution_started_at:
        _record_resolution(conversation, clock)
        end_resolution(clock)
    if created:
        # Read under the conversation's lock: a clock found missing is inserted (one
        # statement; save() would try an UPDATE first, its primary key being given).
        # Its key is the conversation's, so in a batch of events it waits for no answer.
        insert_row(clock, deferred=True)
    elif _fields(clock) != before:
        update_row(clock)  # save(), without compiling its UPDATE each time
    conversation.sla_clock = clock  # type: ignore[attr-defined]
    _write_due_times(conversation, clock)
    return clock


# The clock's columns but its updated_at, read in one call (every inbound reads them twice).
_fields = attrgetter(*(f.attname for f in ConversationSLA._meta.concrete_fields
                       if f.name != "updated_at"))


def _write_due_times(conversation: Conversation, clock: ConversationSLA) -> None:
    """Keep Conversation.*_due_at (the list's sort keys) in line with the clock."""
    if clock.due_at is None:
        return  # paused or stopped: the last due time stays for the sort
    field = {
        Target.FIRST_RESPONSE: "first_response_due_at",
        Target.NEXT_RESPONSE: "next_response_due_at",
    }.get(Target(clock.target))
    if field is None or clock.state not in ("running", "at_risk", "breached"):
        return
    if getattr(conversation, field) != clock.due_at:
        setattr(conversation, field, clock.due_at)
        update_row(conversation, (field,))  # .update(), without compiling it each time


def _record_answer(conversation: Conversation, ended: Ended) -> None:
    SLAOutcome.objects.update_or_create(
        conversation=conversation,
        target=ended.target,
        started_at=ended.started_at,
        defaults={"achieved_at": ended.answered_at},
        create_defaults={
            "achieved_at": ended.answered_at,
            "met": ended.met,
            "channel": ended.channel,
            "due_at": ended.due_at,
            "policy_id": ended.policy_id,
            "team_id": conversation.team_id,
        },
    )


def _record_resolution(conversation: Conversation, clock: ConversationSLA) -> None:
    """The resolution run's outcome; a breach the sweep recorded keeps met=False and
    gains its achieved_at."""
    due, started = clock.resolution_due_at, clock.resolution_started_at
    resolved = conversation.resolved_at
    if due is None or started is None or resolved is None:
        return
    SLAOutcome.objects.update_or_create(
        conversation=conversation,
        target=Target.RESOLUTION,
        started_at=started,
        defaults={"achieved_at": resolved},
        create_defaults={
            "met": clock.resolution_breached_at is None and resolved <= due,
            "achieved_at": resolved,
            "due_at": due,
            "channel": clock.channel,
            "policy_id": clock.policy_id,
            "team_id": conversation.team_id,
        },
    )


def do_start_response_clock(conversation_id: int) -> Conversation | None:
    """Bring a conversation's clock up to date on its own (the clock is normally kept by
    the change that moves it); publishes the conversation if its due times changed."""
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update(no_key=True, of=("self",))
            .select_related("customer", "sla_clock")
            .filter(pk=conversation_id)
            .first()
        )
        if conversation is None:
            return None
        due = (conversation.first_response_due_at, conversation.next_response_due_at)
        keep_clock(conversation)
        if due != (conversation.first_response_due_at, conversation.next_response_due_at):
            notify_conversation(conversation)
    return conversation
