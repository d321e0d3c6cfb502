"""The SLA clock's rules, applied to a conversation's `ConversationSLA` in memory.

`reconcile` brings the clock in line with the conversation as it is now: which target
runs (the response the customer waits for, on the channel of the oldest unanswered
inbound), paused while pending or snoozed, stopped once resolved, and its due and
warning moments from business time (routing.calendar). It is deterministic: the same
conversation, clock, targets and moment give the same result. The caller saves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from conversations.models import Conversation, ConversationStatus
from routing.calendar import add_business_time, business_seconds_between
from routing.models import ClockState, ConversationSLA, Target
from routing.policies import Targets

RESPONSES = (Target.FIRST_RESPONSE, Target.NEXT_RESPONSE)
PAUSED = (ConversationStatus.PENDING, ConversationStatus.SNOOZED)


@dataclass(frozen=True)
class Ended:
    """A response target's run that ended with an answer."""

    target: str
    channel: str
    started_at: datetime
    due_at: datetime | None
    answered_at: datetime
    met: bool
    policy_id: int | None


def wanted(conversation: Conversation) -> tuple[str, str, datetime] | None:
    """(target, channel, since) of the response the customer waits for, if any."""
    if conversation.awaiting_since is None:
        return None
    target = (
        Target.FIRST_RESPONSE if conversation.first_response_at is None else Target.NEXT_RESPONSE
    )
    return target, conversation.awaiting_channel, conversation.awaiting_since


def reconcile(
    clock: ConversationSLA, conversation: Conversation, targets: Targets, now: datetime
) -> Ended | None:
    ended = None
    want = wanted(conversation)
    running = (
        (clock.target, clock.channel, clock.started_at)
        if clock.target in RESPONSES and clock.started_at
        else None
    )
    if running is not None and running != want and clock.state != ClockState.MET:
        ended = _end(clock, conversation, targets)
    if want is not None and want != running:
        clock.target, clock.channel, clock.started_at = want
        clock.consumed_seconds = 0.0
        clock.segment_started_at = clock.started_at
        clock.at_risk_at = clock.breached_at = clock.met_at = None
        clock.due_at = clock.warn_at = None
    _resolution(clock, conversation, targets, now)
    if want is None:
        next_check(clock)
        return ended
    clock.policy_id = targets.policy_id
    clock.target_seconds = (
        targets.first_response if clock.target == Target.FIRST_RESPONSE else targets.next_response
    )
    clock.warn_percent = targets.warn_percent
    if conversation.status == ConversationStatus.RESOLVED:
        _stop(clock, targets, now)
        clock.state = ClockState.BREACHED if clock.breached_at else ClockState.NONE
        clock.segment_started_at = None
    elif conversation.status in PAUSED:
        _stop(clock, targets, now)
        clock.state = ClockState.BREACHED if clock.breached_at else ClockState.PAUSED
    else:
        if clock.segment_started_at is None:
            clock.segment_started_at = now  # resumed
        _schedule(clock, targets)
    next_check(clock)
    return ended


def next_check(clock: ConversationSLA) -> None:
    """When the sweep looks next: the earliest warning or due moment of a running
    target (response or resolution) not handled yet (the sweep's claim computes the
    same in SQL)."""
    moments = []
    if clock.segment_started_at is not None:
        if clock.at_risk_at is None:
            moments.append(clock.warn_at)
        if clock.breached_at is None:
            moments.append(clock.due_at)
    if clock.resolution_segment_started_at is not None:
        if clock.resolution_at_risk_at is None:
            moments.append(clock.resolution_warn_at)
        if clock.resolution_breached_at is None:
            moments.append(clock.resolution_due_at)
    found = [m for m in moments if m is not None]
    clock.next_check_at = min(found) if found else None


def _end(clock: ConversationSLA, conversation: Conversation, targets: Targets) -> Ended | None:
    started = clock.started_at
    answered = conversation.last_response_at
    clock.segment_started_at = None
    clock.next_check_at = None
    if started is None or answered is None or answered < started:
        clock.state = ClockState.NONE
        return None
    clock.state = ClockState.MET
    clock.met_at = answered
    met = clock.breached_at is None and (clock.due_at is None or answered <= clock.due_at)
    return Ended(clock.target, clock.channel, started, clock.due_at, answered, met,
                 clock.policy_id)


def _stop(clock: ConversationSLA, targets: Targets, now: datetime) -> None:
    """Pause: the time used so far is kept; no timer while stopped."""
    if clock.segment_started_at is not None:
        clock.consumed_seconds += business_seconds_between(
            clock.segment_started_at, now, targets.calendar
        )
        clock.segment_started_at = None
    clock.next_check_at = None
    clock.warn_at = None
    if not clock.breached_at:
        clock.due_at = None


def _schedule(clock: ConversationSLA, targets: Targets) -> None:
    start = clock.segment_started_at
    assert start is not None
    left = clock.target_seconds - clock.consumed_seconds
    warn_left = clock.target_seconds * clock.warn_percent / 100 - clock.consumed_seconds
    if not clock.breached_at:
        clock.due_at = add_business_time(start, left, targets.calendar)
    clock.warn_at = add_business_time(start, max(0.0, warn_left), targets.calendar)
    if clock.breached_at:
        clock.state, clock.next_check_at = ClockState.BREACHED, None
    elif clock.at_risk_at:
        clock.state, clock.next_check_at = ClockState.AT_RISK, clock.due_at
    else:
        clock.state, clock.next_check_at = ClockState.RUNNING, clock.warn_at


def _resolution(
    clock: ConversationSLA, conversation: Conversation, targets: Targets, now: datetime
) -> None:
    """The resolution target: a run starts at the first inbound (or at the reopen of a
    resolved conversation), pauses while pending or snoozed, and ends when resolved
    (keep_clock_of records its outcome, then `end_resolution`)."""
    if not targets.resolution or conversation.first_inbound_at is None:
        return
    if conversation.status == ConversationStatus.RESOLVED:
        if clock.resolution_segment_started_at is not None:
            clock.resolution_consumed_seconds += business_seconds_between(
                clock.resolution_segment_started_at, now, targets.calendar
            )
            clock.resolution_segment_started_at = None
        return
    if clock.resolution_started_at is None:
        # A first run counts from the first inbound; a run after a resolution (the
        # last due moment is still there) from now, the reopen.
        start = conversation.first_inbound_at if clock.resolution_due_at is None else now
        clock.resolution_started_at = start
        clock.resolution_segment_started_at = start
        clock.resolution_consumed_seconds = 0.0
        clock.resolution_at_risk_at = clock.resolution_breached_at = None
    clock.resolution_seconds = targets.resolution
    if conversation.status in PAUSED:
        if clock.resolution_segment_started_at is not None:
            clock.resolution_consumed_seconds += business_seconds_between(
                clock.resolution_segment_started_at, now, targets.calendar
            )
            clock.resolution_segment_started_at = None
        clock.resolution_warn_at = None
        if clock.resolution_breached_at is None:
            clock.resolution_due_at = None
        return
    if clock.resolution_segment_started_at is None:
        clock.resolution_segment_started_at = now  # resumed
    start = clock.resolution_segment_started_at
    left = targets.resolution - clock.resolution_consumed_seconds
    warn_left = targets.resolution * targets.warn_percent / 100 - clock.resolution_consumed_seconds
    if clock.resolution_breached_at is None:
        clock.resolution_due_at = add_business_time(start, left, targets.calendar)
    clock.resolution_warn_at = add_business_time(start, max(0.0, warn_left), targets.calendar)


def end_resolution(clock: ConversationSLA) -> None:
    """The run ended (resolved, its outcome recorded): no timer until a reopen. The
    last due moment stays (the payload shows it; a reopen starts a new run)."""
    clock.resolution_started_at = None
    clock.resolution_segment_started_at = None
    clock.resolution_warn_at = None
    next_check(clock)
