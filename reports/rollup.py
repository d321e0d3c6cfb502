"""What one day's rollup rows hold, read from the conversations (and, for first-contact
resolution and the cross-channel rate, their interactions) that had something happen
that day. reports.actions writes the rows; nothing here writes.

Each figure is counted on the day its event happened, in REPORTS_TIME_ZONE:
- created, created_by_hour, repeat_contacts: on the day of the first customer message;
- first_response_seconds: on the day of the first agent response;
- next_response_seconds: on the day of each later agent reply that answers customer
  messages, from the first of those messages (the one after the previous agent reply)
  to the reply; read from the interactions of the conversations touched since the day
  began (ix_timeline), as Zendesk's "next reply time" and Chatwoot's "reply time";
- resolution_seconds, first_contact_resolved, cross_channel: on the day of resolution
  (a conversation reopened and resolved again counts on its last resolution);
- written_handle_seconds / written_handled: on the day of resolution, from the first
  agent reply to the resolution (Zendesk's messaging handle time runs from the agent's
  assignment to solved; the first reply is the first moment the stamps prove an agent
  on it, and, as in Zendesk, a conversation no agent wrote in has no handle time);
- call_handle_seconds / calls_handled: on the day a call began, the time an agent was
  on it: the talk time of the agents' legs (meta.talk_seconds) of a call that came in,
  or the recorded duration (meta.duration_seconds) of a call an agent placed; a call
  no agent talked on is not counted;
- backlog: conversations whose first customer message came before the day's end and that
  were not resolved at its end.
A conversation's row is that of its first channel, its team and its assignee as they are
when the day is rolled up.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Min, Q
from django.db.models.fields.json import KeyTextTransform

from conversations.models import Conversation, ConversationStatus, Direction, Interaction
from conversations.models.choices import InteractionKind
from reports.models import SLA_TARGETS
from routing.models import SLAOutcome

Dims = tuple[str, int | None, int | None]  # (channel, team id, agent user id)
CONTACT_KINDS = (InteractionKind.MESSAGE, InteractionKind.CALL)


def report_zone() -> ZoneInfo:
    return ZoneInfo(settings.REPORTS_TIME_ZONE)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = report_zone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def local_day(moment: datetime) -> date:
    return moment.astimezone(report_zone()).date()


@dataclass
class RowValues:
    created: int = 0
    created_by_hour: list[int] = field(default_factory=lambda: [0] * 24)
    repeat_contacts: int = 0
    first_response_seconds: list[int] = field(default_factory=list)
    resolution_seconds: list[int] = field(default_factory=list)
    next_response_seconds: list[int] = field(default_factory=list)
    written_handle_seconds: int = 0
    written_handled: int = 0
    call_handle_seconds: int = 0
    calls_handled: int = 0
    first_contact_resolved: int = 0
    cross_channel: int = 0
    backlog: int = 0
    sla_first_response_due: int = 0
    sla_first_response_met: int = 0
    sla_next_response_due: int = 0
    sla_next_response_met: int = 0
    sla_resolution_due: int = 0
    sla_resolution_met: int = 0


def _seconds(later: datetime, earlier: datetime) -> int:
    return max(0, round((later - earlier).total_seconds()))


def _dims(row: dict[str, Any]) -> Dims:
    channels = row["channels"] or []
    channel = channels[0] if channels else (row["last_inbound_channel"] or "")
    return (str(channel)[:16], row["team_id"], row["assignee_id"])


def _contacts_of(conversation_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per resolved conversation: agent replies, the first reply's time, the customer's
    channels and their last message's time (one grouped query)."""
    if not conversation_ids:
        return {}
    contact = Q(kind__in=CONTACT_KINDS)
    inbound = Q(direction=Direction.INBOUND) & contact
    reply = Q(direction=Direction.OUTBOUND, author_agent__isnull=False) & contact
    rows = (
        Interaction.objects.filter(conversation_id__in=conversation_ids)
        .values("conversation_id")
        .annotate(
            replies=Count("id", filter=reply),
            first_reply=Min("occurred_at", filter=reply),
            customer_channels=Count("channel", filter=inbound, distinct=True),
        )
    )
    found: dict[int, dict[str, Any]] = {row["conversation_id"]: dict(row) for row in rows}
    # The customer's messages after the first reply say the first answer did not settle it.
    late = (
        Interaction.objects.filter(conversation_id__in=conversation_ids)
        .filter(inbound)
        .values("conversation_id", "occurred_at")
    )
    for row in late:
        entry = found.get(row["conversation_id"])
        if entry and entry["first_reply"] and row["occurred_at"] > entry["first_reply"]:
            entry["answered_again"] = True
    return found


def _repeat_customers(created: list[dict[str, Any]], start: datetime) -> set[int]:
    """Ids of the new conversations whose customer had another conversation resolved in
    the REPORTS_REPEAT_DAYS before this one began."""
    window = timedelta(days=settings.REPORTS_REPEAT_DAYS)
    customer_ids = {row["customer_id"] for row in created}
    if not customer_ids:
        return set()
    earlier: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for pk, customer_id, resolved in Conversation.objects.filter(
        customer_id__in=customer_ids, resolved_at__gte=start - window,
    ).values_list("id", "customer_id", "resolved_at"):
        if resolved is not None:
            earlier[customer_id].append((pk, resolved))
    repeat = set()
    for conv in created:
        began = conv["first_inbound_at"]
        if any(pk != conv["id"] and began - window <= resolved < began
               for pk, resolved in earlier[conv["customer_id"]]):
            repeat.add(conv["id"])
    return repeat


FIELDS = ("id", "customer_id", "channels", "last_inbound_channel", "team_id", "assignee_id",
          "status", "first_inbound_at", "first_response_at", "resolved_at", "updated_at")


def compute_day(day: date) -> dict[Dims, RowValues]:
    """The rows of `day`, keyed by their dimensions."""
    start, end = day_bounds(day)
    # Anything that happened on or after `start` touched updated_at (indexed); what is not
    # resolved may count in the backlog whenever it was last touched.
    # A conversation an agent began with a call has no customer message: it counts only
    # for its calls, on a day it existed and was touched after.
    candidates = Conversation.objects.filter(
        Q(updated_at__gte=start) | ~Q(status=ConversationStatus.RESOLVED),
        Q(first_inbound_at__lt=end)
        | Q(first_inbound_at__isnull=True, created_at__lt=end, updated_at__gte=start),
    ).values(*FIELDS)
    rows: dict[Dims, RowValues] = defaultdict(RowValues)
    created: list[dict[str, Any]] = []
    resolved: list[dict[str, Any]] = []
    touched: list[dict[str, Any]] = []
    zone = report_zone()
    for conv in candidates.iterator(chunk_size=2000):
        if conv["updated_at"] >= start:
            touched.append(conv)
        if conv["first_inbound_at"] is None:
            continue
        values = rows[_dims(conv)]
        began, answered, closed = (conv["first_inbound_at"], conv["first_response_at"],
                                   conv["resolved_at"])
        if closed is not None and conv["status"] != ConversationStatus.RESOLVED:
            closed = None  # reopened since: not resolved now
        if start <= began < end:
            values.created += 1
            values.created_by_hour[began.astimezone(zone).hour] += 1
            created.append(conv)
        if answered is not None and start <= answered < end:
            values.first_response_seconds.append(_seconds(answered, began))
        if closed is not None and start <= closed < end:
            values.resolution_seconds.append(_seconds(closed, began))
            resolved.append(conv)
            if answered is not None:
                values.written_handle_seconds += _seconds(closed, answered)
                values.written_handled += 1
        if closed is None or closed >= end:
            values.backlog += 1
    repeat = _repeat_customers(created, start)
    for conv in created:
        if conv["id"] in repeat:
            rows[_dims(conv)].repeat_contacts += 1
    contacts = _contacts_of([c["id"] for c in resolved])
    for conv in resolved:
        found = contacts.get(conv["id"], {})
        values = rows[_dims(conv)]
        if found.get("replies") == 1 and not found.get("answered_again"):
            values.first_contact_resolved += 1
        if found.get("customer_channels", 0) > 1:
            values.cross_channel += 1
    _count_replies_and_calls(rows, touched, start, end)
    _count_sla_outcomes(rows, start, end)
    return {dims: values for dims, values in rows.items() if values != RowValues()}


def _count_replies_and_calls(rows: dict[Dims, RowValues], touched: list[dict[str, Any]],
                             start: datetime, end: datetime) -> None:
    """Next responses and calls in [start, end). A reply or a call made then touched its
    conversation (updated_at), so `touched` holds every one; their customer messages,
    agent replies and calls up to the day's end come in one query, in timeline order."""
    if not touched:
        return
    dims = {conv["id"]: _dims(conv) for conv in touched}
    contacts = (
        Interaction.objects.filter(conversation_id__in=list(dims), kind__in=CONTACT_KINDS,
                                   occurred_at__lt=end)
        .filter(Q(direction=Direction.INBOUND)
                | Q(direction=Direction.OUTBOUND, author_agent__isnull=False))
        .annotate(talk=KeyTextTransform("talk_seconds", "meta"),
                  duration=KeyTextTransform("duration_seconds", "meta"))
        .order_by("conversation_id", "occurred_at", "id")
        .values_list("conversation_id", "direction", "kind", "occurred_at", "talk", "duration")
    )
    current, replied, waiting = None, False, None
    for conv_id, direction, kind, occurred, talk, duration in contacts.iterator(chunk_size=2000):
        if conv_id != current:
            current, replied, waiting = conv_id, False, None
        values = rows[dims[conv_id]]
        today = start <= occurred < end
        if kind == InteractionKind.CALL and today:
            handled = _whole_seconds(talk) or (
                _whole_seconds(duration) if direction == Direction.OUTBOUND else 0)
            if handled:
                values.call_handle_seconds += handled
                values.calls_handled += 1
        if direction == Direction.INBOUND:
            if replied and waiting is None:
                waiting = occurred
            continue
        if waiting is not None and today:
            values.next_response_seconds.append(_seconds(occurred, waiting))
        replied, waiting = True, None


def _whole_seconds(value: str | None) -> int:
    try:
        return max(0, int(float(value))) if value not in (None, "") else 0
    except ValueError:
        return 0


def _count_sla_outcomes(rows: dict[Dims, RowValues], start: datetime, end: datetime) -> None:
    """SLA targets decided in [start, end): routing's outcome rows written then (indexed
    on created_at), counted on their conversation's dimensions like everything else."""
    outcomes = (
        SLAOutcome.objects.filter(created_at__gte=start, created_at__lt=end,
                                  target__in=SLA_TARGETS)
        .values("target", "met", "conversation__channels", "conversation__last_inbound_channel",
                "conversation__team_id", "conversation__assignee_id")
    )
    for outcome in outcomes.iterator(chunk_size=2000):
        values = rows[_dims({
            "channels": outcome["conversation__channels"],
            "last_inbound_channel": outcome["conversation__last_inbound_channel"],
            "team_id": outcome["conversation__team_id"],
            "assignee_id": outcome["conversation__assignee_id"],
        })]
        target = outcome["target"]
        setattr(values, f"sla_{target}_due", getattr(values, f"sla_{target}_due") + 1)
        if outcome["met"]:
            setattr(values, f"sla_{target}_met", getattr(values, f"sla_{target}_met") + 1)
