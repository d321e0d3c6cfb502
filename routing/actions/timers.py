"""The SLA timer sweep (beat, every OMNIDESK_SLA_SWEEP_SECONDS): the clocks whose warning
or due moment has passed become at risk or breached, once each, with a timeline event,
a realtime event, an outcome row for a breach, and the policy's escalation.

It is set-based. One statement claims the due clocks and moves their state: it selects
them through the partial index on `next_check_at` (so its cost grows with the clocks
that are due, never with the open conversations), locks each clock and its conversation
with SKIP LOCKED (a conversation being changed right now, or claimed by a concurrent
sweep, is left to the next sweep), decides warn or breach from the locked row, and
UPDATEs them, RETURNING what it did. Then, in the same transaction, the outcome rows,
timeline events, realtime events and priority escalations are written in a few bulk
statements. Two sweeps running at once never handle the same clock: a clock is warned
once and breached once.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Least
from django.utils import timezone

from conversations import hooks
from conversations.actions.timeline import PRIORITY_CHANGED
from conversations.channels import INTERNAL
from conversations.models import (
    Conversation,
    Direction,
    Interaction,
    InteractionKind,
    Priority,
)
from conversations.notify import conversation_audience, conversation_event, interaction_event
from conversations.payloads import CONVERSATION_SELECT, conversation_payload
from realtime import events
from realtime.publish import Event, publish_many
from routing.actions.sla import keep_clock_of
from routing.clock import next_check
from routing.models import ClockState, ConversationSLA, SLAOutcome, Target

logger = logging.getLogger(__name__)

SLA_AT_RISK = "sla_at_risk"
SLA_BREACHED = "sla_breached"
SWEEP_BATCH = 1000

WARN, BREACH = "warn", "breach"

LABELS = {
    Target.FIRST_RESPONSE: "first response",
    Target.NEXT_RESPONSE: "next response",
    Target.RESOLUTION: "resolution",
}

# The clock's columns a due row can need: the response target (due_at, warn_at,
# at_risk_at, breached_at) or the resolution target (resolution_*); a clock where both
# are due is moved one step per sweep, the response target first.
_CLAIM = """
WITH due AS (
    SELECT k.conversation_id,
        CASE
            WHEN k.due_at <= %(now)s AND k.breached_at IS NULL THEN 'breach'
            WHEN k.warn_at <= %(now)s AND k.at_risk_at IS NULL THEN 'warn'
            ELSE ''
        END AS action,
        CASE
            WHEN k.resolution_due_at <= %(now)s AND k.resolution_breached_at IS NULL
                AND k.resolution_segment_started_at IS NOT NULL THEN 'breach'
            WHEN k.resolution_warn_at <= %(now)s AND k.resolution_at_risk_at IS NULL
                AND k.resolution_segment_started_at IS NOT NULL THEN 'warn'
            ELSE ''
        END AS resolution_action
    FROM routing_conversationsla k
    JOIN conversations_conversation c ON c.id = k.conversation_id
    WHERE k.next_check_at <= %(now)s
    ORDER BY k.next_check_at
    LIMIT %(limit)s
    FOR NO KEY UPDATE OF k, c SKIP LOCKED
), moved AS (
    SELECT conversation_id,
        action,
        CASE WHEN action = '' THEN resolution_action ELSE '' END AS resolution_action
    FROM due
)
UPDATE routing_conversationsla k SET
    state = CASE m.action WHEN 'breach' THEN 'breached' WHEN 'warn' THEN 'at_risk'
        ELSE k.state END,
    breached_at = CASE WHEN m.action = 'breach' THEN %(now)s ELSE k.breached_at END,
    at_risk_at = CASE WHEN m.action <> '' THEN COALESCE(k.at_risk_at, %(now)s)
        ELSE k.at_risk_at END,
    resolution_breached_at = CASE WHEN m.resolution_action = 'breach' THEN %(now)s
        ELSE k.resolution_breached_at END,
    resolution_at_risk_at = CASE WHEN m.resolution_action <> ''
        THEN COALESCE(k.resolution_at_risk_at, %(now)s) ELSE k.resolution_at_risk_at END,
    -- The next moment to look: the earliest warning or due moment of a running target
    -- not handled yet, counting what this statement just handled.
    next_check_at = (SELECT min(t) FROM (VALUES
        (CASE WHEN k.segment_started_at IS NOT NULL AND k.at_risk_at IS NULL
            AND m.action = '' THEN k.warn_at END),
        (CASE WHEN k.segment_started_at IS NOT NULL AND k.breached_at IS NULL
            AND m.action <> 'breach' THEN k.due_at END),
        (CASE WHEN k.resolution_segment_started_at IS NOT NULL
            AND k.resolution_at_risk_at IS NULL AND m.resolution_action = ''
            THEN k.resolution_warn_at END),
        (CASE WHEN k.resolution_segment_started_at IS NOT NULL
            AND k.resolution_breached_at IS NULL AND m.resolution_action <> 'breach'
            THEN k.resolution_due_at END)
    ) AS v(t)),
    updated_at = %(now)s
FROM moved m
WHERE k.conversation_id = m.conversation_id
RETURNING k.conversation_id, m.action, m.resolution_action
"""

def due_clock_ids(now: datetime, limit: int = SWEEP_BATCH) -> list[int]:
    return list(
        ConversationSLA.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("conversation_id", flat=True)[:limit]
    )


def do_sweep_sla(now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Handle the clocks due at `now` (at most `limit`, one transaction); returns how
    many warnings and breaches it recorded."""
    now = now or timezone.now()
    with transaction.atomic():
        claim = CLAIMS.get(connection.vendor, _claim_portable)
        claimed = claim(now, limit)
        moves = [(cid, a, r) for cid, a, r in claimed if a or r]
        if not moves:
            return 0
        _record(moves, now)
    return len(moves)


def _claim_postgresql(now: datetime, limit: int) -> list[tuple[int, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM, {"now": now, "limit": limit})
        return list(cursor.fetchall())


def _claim_portable(now: datetime, limit: int) -> list[tuple[int, str, str]]:
    """The claim of `_CLAIM`, for a database without SKIP LOCKED or UPDATE ... FROM ...
    RETURNING (SQLite, the embedded default, where one writer runs at a time): the same
    decisions on the rows in memory, written back in one bulk UPDATE."""
    clocks = list(
        ConversationSLA.objects.select_for_update()
        .filter(next_check_at__lte=now)
        .order_by("next_check_at")[:limit]
    )
    claimed = []
    for k in clocks:
        action = resolution_action = ""
        if k.due_at is not None and k.due_at <= now and k.breached_at is None:
            action = BREACH
        elif k.warn_at is not None and k.warn_at <= now and k.at_risk_at is None:
            action = WARN
        elif k.resolution_segment_started_at is not None:
            if (k.resolution_due_at is not None and k.resolution_due_at <= now
                    and k.resolution_breached_at is None):
                resolution_action = BREACH
            elif (k.resolution_warn_at is not None and k.resolution_warn_at <= now
                    and k.resolution_at_risk_at is None):
                resolution_action = WARN
        if action:
            k.state = ClockState.BREACHED if action == BREACH else ClockState.AT_RISK
            k.at_risk_at = k.at_risk_at or now
            if action == BREACH:
                k.breached_at = now
        if resolution_action:
            k.resolution_at_risk_at = k.resolution_at_risk_at or now
            if resolution_action == BREACH:
                k.resolution_breached_at = now
        next_check(k)
        k.updated_at = now
        claimed.append((k.conversation_id, action, resolution_action))
    ConversationSLA.objects.bulk_update(clocks, [
        "state", "at_risk_at", "breached_at", "resolution_at_risk_at",
        "resolution_breached_at", "next_check_at", "updated_at",
    ])
    return claimed


# The claim per database vendor; others take the portable one.
CLAIMS = {"postgresql": _claim_postgresql}


def _record(moves: list[tuple[int, str, str]], now: datetime) -> None:
    conversations = Conversation.objects.select_related(
        *CONVERSATION_SELECT, "sla_clock__policy"
    ).in_bulk([cid for cid, _, _ in moves])
    outcomes: list[SLAOutcome] = []
    timeline: list[Interaction] = []
    raised: list[Conversation] = []
    sla_events: list[tuple[str, Conversation]] = []
    for cid, action, resolution_action in moves:
        conversation = conversations[cid]
        clock: ConversationSLA = conversation.sla_clock  # type: ignore[attr-defined]
        if action:
            target, due_at, started_at = Target(clock.target), clock.due_at, clock.started_at
            what = action
        else:
            target, due_at = Target.RESOLUTION, clock.resolution_due_at
            started_at, what = clock.resolution_started_at, resolution_action
        label = LABELS[target]
        meta: dict[str, Any] = {"target": target.value, "channel": clock.channel,
                                "due_at": _iso(due_at)}
        if what == WARN:
            text = f"The {label} target on {clock.channel} is at risk (due {due_at:%H:%M:%S})"
            timeline.append(_event(conversation, SLA_AT_RISK, text, meta, now))
            sla_events.append((events.SLA_AT_RISK, conversation))
            continue
        assert started_at is not None
        outcomes.append(SLAOutcome(
            conversation=conversation, target=target, started_at=started_at, met=False,
            due_at=due_at, breached_at=now, channel=clock.channel,
            policy_id=clock.policy_id, team_id=conversation.team_id,
        ))
        policy = clock.policy if clock.policy_id is not None else None
        escalated = []
        if policy is None or policy.escalate_notify_lead:
            escalated.append("leads notified")
        if (policy is not None and policy.escalate_raise_priority
                and conversation.priority < Priority.URGENT):
            escalated.append("priority raised")
            raised.append(conversation)
        meta["escalated"] = escalated
        text = f"The {label} target on {clock.channel} was breached" + (
            f" ({', '.join(escalated)})" if escalated else "")
        timeline.append(_event(conversation, SLA_BREACHED, text, meta, now))
        sla_events.append((events.SLA_BREACHED, conversation))
    # Unique per (conversation, target, run start): a row already there stays.
    SLAOutcome.objects.bulk_create(outcomes, ignore_conflicts=True)
    if raised:
        timeline.extend(_raise_priorities(raised, now))
    Interaction.objects.bulk_create(timeline)
    for item in timeline:
        # What the timeline's other writers get through record_event (the workspace's
        # SLA notifications): one call per event, in this transaction.
        hooks.run_after_event(item.conversation, item)
    pending = [interaction_event(item) for item in timeline]
    pending += [conversation_event(c) for c in raised]
    pending += [
        Event(name, conversation_payload(c), conversation_audience(c)) for name, c in sla_events
    ]
    publish_many(pending)
    logger.info("SLA sweep: %s warnings, %s breaches", len(moves) - len(outcomes), len(outcomes))


def _raise_priorities(raised: list[Conversation], now: datetime) -> list[Interaction]:
    """Escalation: one priority step up, in one UPDATE, a `priority_changed` event each;
    the clocks then follow the new priority (its policy may have other targets)."""
    Conversation.objects.filter(pk__in=[c.pk for c in raised]).update(
        priority=Least(F("priority") + 1, Priority.URGENT), last_activity_at=now,
        updated_at=now,
    )
    changed = []
    for conversation in raised:
        before = conversation.priority
        conversation.priority = before + 1
        conversation.last_activity_at = now
        changed.append(_event(
            conversation, PRIORITY_CHANGED,
            f"omnidesk set the priority to {Priority(before + 1).label}",
            {"from": before, "to": before + 1}, now,
        ))
        keep_clock_of(conversation)
    return changed


def _event(
    conversation: Conversation, event_type: str, text: str, meta: dict[str, Any],
    now: datetime,
) -> Interaction:
    """A timeline event as conversations.actions.timeline.record_event writes it."""
    return Interaction(
        conversation=conversation,
        customer_id=conversation.customer_id,
        channel=INTERNAL,
        direction=Direction.INTERNAL,
        kind=InteractionKind.EVENT,
        event_type=event_type,
        text=text,
        meta=meta,
        occurred_at=now,
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
