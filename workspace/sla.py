"""The SLA chip of a conversation: its state and due time, read through `sla_of`.

The routing app adds `sla` ({"state", "due_at", "warn_at", ...}) to the conversation
payload; when a conversation carries it, that is what the chip shows, and the list's
"at risk" filter reads the clock's warning moment. Until then the
state is derived here from the response due times: the due time is the first response's
until there is one, then the next response's; "at risk" is the last quarter of the time
the customer was given (from awaiting_since to the due time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Case, DateTimeField, DurationField, ExpressionWrapper, F, Q, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from conversations.models import ConversationStatus
from conversations.payloads import sla_payload

RISK_SHARE = 0.25  # the last quarter of the allowed time is "at risk"
STATES = ("ok", "at_risk", "breached", "paused", "none")

RESPONSE_DUE = Case(
    When(first_response_at__isnull=True, then=F("first_response_due_at")),
    default=F("next_response_due_at"),
    output_field=DateTimeField(),
)
# The clock's warning moment (routing.ConversationSLA, from the policy's warn percent in
# business time) where there is one; else the last quarter of the wall-clock time given.
RISK_AT = Coalesce(
    F("sla_clock__warn_at"),
    ExpressionWrapper(
        RESPONSE_DUE - ExpressionWrapper(
            (RESPONSE_DUE - F("awaiting_since")) * RISK_SHARE, output_field=DurationField()
        ),
        output_field=DateTimeField(),
    ),
    output_field=DateTimeField(),
)
# routing's clock states, as the chip names them ("met": the target was answered in time).
CLOCK_STATES = {"running": "ok", "at_risk": "at_risk", "breached": "breached",
                "paused": "paused", "met": "met", "": ""}


@dataclass(frozen=True)
class Sla:
    state: str  # ok | at_risk | breached | paused | "" (nothing due)
    due: datetime | None = None
    risk_at: datetime | None = None  # when an "ok" chip turns "at risk" in the browser


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime) or value is None:
        return value
    return parse_datetime(str(value))


def given_sla(conversation: Any) -> dict[str, Any] | None:
    """The payload's `sla` (routing's clock): a payload dict's, or a Conversation's whose
    clock was read with it (select_related "sla_clock"; never a query of its own)."""
    if isinstance(conversation, dict):
        given = conversation.get("sla")
        return given if isinstance(given, dict) else None
    given = getattr(conversation, "sla", None)
    if isinstance(given, dict):
        return given
    state = getattr(conversation, "_state", None)
    if state is not None and "sla_clock" in state.fields_cache:
        return sla_payload(conversation)
    return None


def sla_of(conversation: Any, now: datetime | None = None) -> Sla:
    """The chip: routing's clock where it ran (running → ok, at_risk, breached, paused,
    met; the due time, and the warning moment while running), else derived."""
    given = given_sla(conversation)
    if given is not None and given.get("state"):
        state = CLOCK_STATES.get(str(given["state"]), str(given["state"]))
        if getattr(conversation, "status", "") == ConversationStatus.RESOLVED:
            return Sla("")
        due = _moment(given.get("due_at"))
        return Sla(state, due if state != "met" else None,
                   _moment(given.get("warn_at") or given.get("at_risk_at")))
    return derived_sla(conversation, now)


def derived_sla(conversation: Any, now: datetime | None = None) -> Sla:
    if conversation.first_response_at is None:
        due = conversation.first_response_due_at
    else:
        due = conversation.next_response_due_at
    if due is None or conversation.status == ConversationStatus.RESOLVED:
        return Sla("")
    if conversation.status in (ConversationStatus.PENDING, ConversationStatus.SNOOZED):
        return Sla("paused", due)
    now = now or timezone.now()
    start = conversation.awaiting_since
    risk_at = due - (due - start) * RISK_SHARE if start is not None and start < due else due
    if due <= now:
        return Sla("breached", due, risk_at)
    return Sla("at_risk" if risk_at <= now else "ok", due, risk_at)


def sla_filter(state: str, now: datetime | None = None) -> Q:
    """The conversations whose derived SLA is in `state` (the list's SLA filter); the
    query must be annotated with sla_due=RESPONSE_DUE and sla_risk_at=RISK_AT."""
    now = now or timezone.now()
    if state == "none":
        return Q(sla_due__isnull=True) | Q(status=ConversationStatus.RESOLVED)
    if state == "paused":
        return Q(sla_due__isnull=False, status__in=[ConversationStatus.PENDING,
                                                     ConversationStatus.SNOOZED])
    running = Q(sla_due__isnull=False, status=ConversationStatus.OPEN)
    if state == "breached":
        return running & Q(sla_due__lte=now)
    if state == "at_risk":
        return running & Q(sla_due__gt=now) & Q(sla_risk_at__lte=now)
    return running & Q(sla_due__gt=now) & (Q(sla_risk_at__gt=now) | Q(awaiting_since__isnull=True))
