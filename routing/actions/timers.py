"""The SLA timer sweep (beat, every OMNIDESK_SLA_SWEEP_SECONDS): the clocks whose warning
or due moment has passed become at risk or breached, once each, with a timeline event,
a realtime event, an outcome row for a breach, and the policy's escalation.

It reads the partial index on `next_check_at`, so its cost grows with the clocks that
are due, never with the open conversations. Each clock is handled under its
conversation's row lock, taken with SKIP LOCKED (a conversation being changed right now
is looked at by the next sweep), in the order actions lock (conversation, then clock).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from conversations.actions.timeline import record_event
from conversations.actions.update import do_update_conversation
from conversations.models import Conversation, Priority
from realtime import events
from routing.models import ClockState, ConversationSLA, SLAOutcome, Target
from routing.notify import notify_sla

logger = logging.getLogger(__name__)

SLA_AT_RISK = "sla_at_risk"
SLA_BREACHED = "sla_breached"
SWEEP_BATCH = 500

LABELS = {
    Target.FIRST_RESPONSE: "first response",
    Target.NEXT_RESPONSE: "next response",
    Target.RESOLUTION: "resolution",
}


def due_clock_ids(now: datetime, limit: int = SWEEP_BATCH) -> list[int]:
    return list(
        ConversationSLA.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("conversation_id", flat=True)[:limit]
    )


def do_sweep_sla(now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Handle the clocks due at `now`; returns how many changed state."""
    now = now or timezone.now()
    changed = 0
    for conversation_id in due_clock_ids(now, limit):
        changed += _check(conversation_id, now)
    return changed


def _check(conversation_id: int, now: datetime) -> bool:
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update(no_key=True, skip_locked=True, of=("self",))
            .select_related("customer", "team", "assignee", "sla_clock__policy")
            .filter(pk=conversation_id)
            .first()
        )
        if conversation is None:
            return False
        clock = conversation.sla_clock  # type: ignore[attr-defined]
        if clock.next_check_at is None or clock.next_check_at > now:
            return False  # handled meanwhile
        if clock.due_at is not None and clock.due_at <= now and clock.breached_at is None:
            _breach(conversation, clock, now)
        elif clock.warn_at is not None and clock.warn_at <= now and clock.at_risk_at is None:
            _warn(conversation, clock, now)
        else:
            clock.next_check_at = clock.due_at if clock.breached_at is None else None
            clock.save(update_fields=["next_check_at", "updated_at"])
            return False
    return True


def _warn(conversation: Conversation, clock: ConversationSLA, now: datetime) -> None:
    clock.at_risk_at = now
    clock.state = ClockState.AT_RISK
    clock.next_check_at = clock.due_at
    clock.save(update_fields=["at_risk_at", "state", "next_check_at", "updated_at"])
    label = LABELS[Target(clock.target)]
    record_event(
        conversation,
        SLA_AT_RISK,
        f"The {label} target on {clock.channel} is at risk (due {clock.due_at:%H:%M:%S})",
        meta={"target": clock.target, "channel": clock.channel, "due_at": _iso(clock.due_at)},
    )
    notify_sla(events.SLA_AT_RISK, conversation)


def _breach(conversation: Conversation, clock: ConversationSLA, now: datetime) -> None:
    clock.breached_at = now
    clock.at_risk_at = clock.at_risk_at or now
    clock.state = ClockState.BREACHED
    clock.next_check_at = None
    clock.save(
        update_fields=["breached_at", "at_risk_at", "state", "next_check_at", "updated_at"]
    )
    assert clock.started_at is not None
    # One statement; a row already there (an earlier run of this sweep) stays.
    SLAOutcome.objects.bulk_create([SLAOutcome(
        conversation=conversation,
        target=clock.target,
        started_at=clock.started_at,
        met=False,
        due_at=clock.due_at,
        breached_at=now,
        channel=clock.channel,
        policy_id=clock.policy_id,
        team_id=conversation.team_id,
    )], ignore_conflicts=True)
    policy = clock.policy if clock.policy_id is not None else None
    notify_lead = policy.escalate_notify_lead if policy is not None else True
    raise_priority = policy.escalate_raise_priority if policy is not None else False
    escalated = []
    if notify_lead:
        escalated.append("leads notified")
    if raise_priority and conversation.priority < Priority.URGENT:
        escalated.append("priority raised")
    label = LABELS[Target(clock.target)]
    record_event(
        conversation,
        SLA_BREACHED,
        f"The {label} target on {clock.channel} was breached"
        + (f" ({', '.join(escalated)})" if escalated else ""),
        meta={
            "target": clock.target,
            "channel": clock.channel,
            "due_at": _iso(clock.due_at),
            "escalated": escalated,
        },
    )
    logger.info("conversation %s: %s SLA breached", conversation.pk, clock.target)
    if "priority raised" in escalated:
        # Through the conversation action: its timeline event, its hooks (the clock).
        conversation = do_update_conversation(
            conversation, by=None, changes={"priority": conversation.priority + 1}
        )
    notify_sla(events.SLA_BREACHED, conversation)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
