"""Reads of the live queues page (/queues/): per channel and per team the open
conversations (waiting for a reply, unassigned, oldest waiting, at risk, breached), today's
median wait and SLA attainment (from routing's SLAOutcome rows, read at most every 15 s
per scope), and the agents with their presence and load against capacity per channel. A
fixed number of queries however many conversations, teams or agents there are
(tests/consoles/test_queues.py pins it)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    FilteredRelation,
    Min,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.utils import timezone

from agents.models import Agent, Presence, Team
from conversations.channels import channel_choices
from conversations.models import Conversation, ConversationStatus
from customers.models import Identity
from reports.rollup import day_bounds, local_day
from routing.models import ClockState, SLAOutcome, Target

ATTENTION_LIMIT = 50
RESPONSE_TARGETS = (Target.FIRST_RESPONSE, Target.NEXT_RESPONSE)


@dataclass
class QueueRow:
    key: str
    label: str
    waiting: int = 0
    unassigned: int = 0
    oldest_waiting: datetime | None = None
    at_risk: int = 0
    breached: int = 0
    median_wait_seconds: float | None = None
    outcomes: int = 0
    met: int = 0

    @property
    def attainment(self) -> float | None:
        return self.met / self.outcomes if self.outcomes else None

    def add(self, row: dict[str, Any]) -> None:
        self.waiting += row["waiting"]
        self.unassigned += row["unassigned"]
        self.at_risk += row["at_risk"]
        self.breached += row["breached"]
        oldest = row["oldest"]
        if oldest is not None and (self.oldest_waiting is None or oldest < self.oldest_waiting):
            self.oldest_waiting = oldest


@dataclass
class AgentLoad:
    channel: str
    label: str
    load: int
    capacity: int

    @property
    def full(self) -> bool:
        return self.load >= self.capacity


@dataclass
class AgentRow:
    agent: Agent
    team_names: list[str]
    loads: list[AgentLoad] = field(default_factory=list)

    @property
    def presence(self) -> str:
        return str(self.agent.presence)

    def has_room(self, channel: str) -> bool:
        return any(x.channel == channel and not x.full for x in self.loads)


@dataclass
class Board:
    team_ids: tuple[int, ...] | None
    channels: list[QueueRow]
    teams: list[QueueRow]
    agents: list[AgentRow]
    attention: list[Conversation]
    presence_counts: dict[str, int]
    computed_at: datetime

    def free_agents_for(self, conversation: Conversation) -> list[AgentRow]:
        """Online agents of the conversation's team (any team's, with no team) with room
        on its channel, the least loaded first: whom the reassign button offers."""
        channel = conversation.last_inbound_channel
        rows = [
            row for row in self.agents
            if row.presence == Presence.ONLINE and row.has_room(channel)
            and row.agent.user_id != conversation.assignee_id
            and (conversation.team_id is None
                 or conversation.team_id in row.agent._queue_team_ids)  # type: ignore[attr-defined]
        ]
        return sorted(rows, key=lambda r: (
            next(x.load for x in r.loads if x.channel == channel), r.agent.user_id))


def open_conversations(team_ids: tuple[int, ...] | None) -> QuerySet[Conversation]:
    qs = Conversation.objects.filter(status=ConversationStatus.OPEN)
    if team_ids is not None:
        qs = qs.filter(team_id__in=team_ids)
    return qs


ALERT_STATES = (ClockState.AT_RISK, ClockState.BREACHED)


def _queue_counts(team_ids: tuple[int, ...] | None) -> list[dict[str, Any]]:
    """Per channel and team: waiting, unassigned, oldest waiting, at risk, breached.
    The clocks are joined on their alert states only (the partial index
    sla_clock_alert: a few hundred rows), not every open conversation's clock."""
    waiting = Q(awaiting_since__isnull=False)
    rows = [dict(row) for row in (
        open_conversations(team_ids)
        .annotate(alert=FilteredRelation(
            "sla_clock", condition=Q(sla_clock__state__in=ALERT_STATES)))
        .values("last_inbound_channel", "team_id")
        .annotate(
            waiting=Count("id", filter=waiting),
            unassigned=Count("id", filter=Q(assignee__isnull=True)),
            oldest=Min("awaiting_since"),
            at_risk=Count("id", filter=Q(alert__state=ClockState.AT_RISK)),
            breached=Count("id", filter=Q(alert__state=ClockState.BREACHED)),
        )
        .order_by()
    )]
    return rows


OUTCOMES_SQL = """
    SELECT GROUPING(channel) = 1 AS by_team, channel, team_id,
           COUNT(*), COUNT(*) FILTER (WHERE met),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM achieved_at - started_at))
             FILTER (WHERE target = ANY(%(responses)s) AND achieved_at IS NOT NULL)
    FROM routing_slaoutcome
    WHERE created_at >= %(start)s AND (%(all_teams)s OR team_id = ANY(%(team_ids)s))
    GROUP BY GROUPING SETS ((channel), (team_id))
"""


# Today's outcome figures change only when a target is decided, and reading them is a
# scan of every outcome row written today (30-65 ms at 50,000 rows, bench/queues.py): one
# reading serves every viewer of the same scope for this long.
OUTCOMES_FRESH_SECONDS = 15

Outcomes = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def _outcomes_key(team_ids: tuple[int, ...] | None, start: datetime) -> str:
    scope = "all" if team_ids is None else ",".join(str(pk) for pk in sorted(team_ids))
    return f"queues:outcomes:{start.isoformat()}:{scope}"


def _outcomes_today(team_ids: tuple[int, ...] | None, now: datetime) -> Outcomes:
    """Today's SLA outcome figures by channel and by team, from the cache when they
    are at most OUTCOMES_FRESH_SECONDS old (the cache holds nothing that cannot be
    read again: with Redis down every page reads them)."""
    start, _ = day_bounds(local_day(now))
    key = _outcomes_key(team_ids, start)
    cached = cache.get(key)
    if cached is not None:
        return cast(Outcomes, cached)
    outcomes = _read_outcomes(team_ids, start)
    cache.set(key, outcomes, OUTCOMES_FRESH_SECONDS)
    return outcomes


def _read_outcomes(team_ids: tuple[int, ...] | None, start: datetime) -> Outcomes:
    """Today's SLA outcome rows, grouped by channel and by team in one scan (GROUPING
    SETS, through the created_at index): how many, how many met, and the exact median
    wait of the answered response targets (percentile_cont). The embedded SQLite has
    neither: there the rows of the day (a small install's) are summed in Python."""
    if connection.vendor != "postgresql":
        return _outcomes_in_python(team_ids, start)
    by_channel: list[dict[str, Any]] = []
    by_team: list[dict[str, Any]] = []
    with connection.cursor() as cursor:
        cursor.execute(OUTCOMES_SQL, {
            "responses": [str(t) for t in RESPONSE_TARGETS], "start": start,
            "all_teams": team_ids is None, "team_ids": list(team_ids or ()),
        })
        for by_team_row, channel, team_id, total, met, median in cursor.fetchall():
            row = {"channel": channel, "team_id": team_id, "total": total, "met_n": met,
                   "median_wait": median}
            (by_team if by_team_row else by_channel).append(row)
    return by_channel, by_team


def _outcomes_in_python(team_ids: tuple[int, ...] | None, start: datetime) -> Outcomes:
    """The same figures as OUTCOMES_SQL, from the rows themselves."""
    rows = SLAOutcome.objects.filter(created_at__gte=start)
    if team_ids is not None:
        rows = rows.filter(team_id__in=team_ids)
    groups: dict[tuple[str, Any], list[tuple[bool, float | None]]] = {}
    for channel, team_id, target, met, started, achieved in rows.values_list(
        "channel", "team_id", "target", "met", "started_at", "achieved_at"
    ):
        wait = ((achieved - started).total_seconds()
                if target in RESPONSE_TARGETS and achieved is not None else None)
        for key in (("channel", channel), ("team_id", team_id)):
            groups.setdefault(key, []).append((met, wait))
    by_channel: list[dict[str, Any]] = []
    by_team: list[dict[str, Any]] = []
    for (by, value), items in groups.items():
        waits = [w for _, w in items if w is not None]
        (by_team if by == "team_id" else by_channel).append({
            "channel": value if by == "channel" else None,
            "team_id": value if by == "team_id" else None,
            "total": len(items), "met_n": sum(1 for met, _ in items if met),
            "median_wait": statistics.median(waits) if waits else None,
        })
    return by_channel, by_team


def _add_outcomes(rows: dict[Any, QueueRow], outcomes: list[dict[str, Any]], by: str) -> None:
    for row in outcomes:
        key = row[by]
        if key not in rows:
            rows[key] = QueueRow(str(key), str(key)) if by == "channel" else QueueRow(
                "none", "No team")
        target = rows[key]
        target.outcomes = row["total"]
        target.met = row["met_n"]
        target.median_wait_seconds = row["median_wait"]


def _agents(team_ids: tuple[int, ...] | None) -> list[Agent]:
    qs = Agent.objects.filter(user__is_active=True).select_related("user").prefetch_related(
        "teams").order_by("user__first_name", "user__username")
    if team_ids is not None:
        qs = qs.filter(teams__in=team_ids).distinct()
    return list(qs)


def _loads(user_ids: list[int]) -> dict[tuple[int, str], int]:
    rows = (
        Conversation.objects.filter(assignee_id__in=user_ids, status=ConversationStatus.OPEN)
        .values("assignee_id", "last_inbound_channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["assignee_id"], r["last_inbound_channel"]): r["n"] for r in rows}


# What the drill-down shows and the reassign control needs, nothing more: 50 rows of
# four joined tables were a third of the page's Python time, most of it parsing unused
# timestamps. A field left out here costs a query per row (the pinned count shows it).
ATTENTION_FIELDS = (
    "id", "subject", "last_inbound_channel", "team_id", "assignee_id", "customer_id",
    "customer__name", "team__name", "assignee__username", "assignee__first_name",
    "assignee__last_name", "sla_clock__state", "sla_clock__due_at",
)


def attention(team_ids: tuple[int, ...] | None) -> list[Conversation]:
    """The open conversations whose clock is at risk or breached: breached first, then
    the one due soonest. The 50 ids are picked on the clocks alone, then read with
    their customer, team and assignee (joining those for thousands of rows first was
    most of the time at 20,000 open conversations)."""
    ids = list(
        open_conversations(team_ids)
        .filter(sla_clock__state__in=ALERT_STATES)
        .order_by("-sla_clock__state", "sla_clock__due_at", "id")
        .values_list("id", flat=True)[:ATTENTION_LIMIT]
    )
    found = Conversation.objects.filter(pk__in=ids).select_related(
        "customer", "team", "assignee", "sla_clock").only(*ATTENTION_FIELDS).in_bulk()
    rows = [found[pk] for pk in ids if pk in found]
    # A customer without a name shows their first identity (Customer.display_name):
    # read those in one query, only when there are such customers.
    unnamed = [c.customer for c in rows if not c.customer.name]
    if unnamed:
        prefetch_related_objects(unnamed, Prefetch(
            "identities", queryset=Identity.objects.order_by("-verified", "kind", "id")))
    return rows


def board(team_ids: tuple[int, ...] | None, now: datetime | None = None) -> Board:
    now = now or timezone.now()
    channels = {kind: QueueRow(kind, label) for kind, label in channel_choices()}
    teams_qs = Team.objects.order_by("name")
    if team_ids is not None:
        teams_qs = teams_qs.filter(pk__in=team_ids)
    team_list = list(teams_qs)
    teams: dict[int | None, QueueRow] = {t.pk: QueueRow(str(t.pk), t.name) for t in team_list}

    for row in _queue_counts(team_ids):
        kind = row["last_inbound_channel"]
        channels.setdefault(kind, QueueRow(kind, kind or "Unknown")).add(row)
        if row["team_id"] not in teams:
            teams[row["team_id"]] = QueueRow("none", "No team")
        teams[row["team_id"]].add(row)

    by_channel, by_team = _outcomes_today(team_ids, now)
    _add_outcomes(channels, by_channel, "channel")
    _add_outcomes(teams, by_team, "team_id")

    agents = _agents(team_ids)
    loads = _loads([a.user_id for a in agents])
    by_pk = {t.pk: t for t in team_list}
    agent_rows = []
    presence_counts = {p.value: 0 for p in Presence}
    for agent in agents:
        own = list(agent.teams.all())
        agent._queue_team_ids = {t.pk for t in own}  # type: ignore[attr-defined]
        home = next((by_pk[t.pk] for t in own if t.pk in by_pk), own[0] if own else None)
        presence_counts[str(agent.presence)] = presence_counts.get(str(agent.presence), 0) + 1
        agent_rows.append(AgentRow(
            agent,
            [t.name for t in own],
            [AgentLoad(kind, label, loads.get((agent.user_id, kind), 0),
                       agent.capacity_for(kind, home))
             for kind, label in channel_choices()],
        ))
    order = {Presence.ONLINE.value: 0, Presence.AWAY.value: 1, Presence.OFFLINE.value: 2}
    agent_rows.sort(key=lambda r: order.get(r.presence, 3))
    return Board(
        team_ids=team_ids,
        channels=list(channels.values()),
        teams=[row for row in teams.values()],
        agents=agent_rows,
        attention=attention(team_ids),
        presence_counts=presence_counts,
        computed_at=now,
    )


def wait_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return _short(timedelta(seconds=round(seconds)))


def _short(delta: timedelta) -> str:
    total = int(delta.total_seconds())
    if total < 60:
        return f"{total} s"
    if total < 3600:
        return f"{total // 60} min"
    hours, minutes = total // 3600, total % 3600 // 60
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
