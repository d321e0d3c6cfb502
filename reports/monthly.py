"""What a month's MonthlyRollup rows hold: its daily rows summed per (channel, team,
agent), with the days and weekday x hour cells the chart and heatmap read packed
(reports.packed). reports.actions.rollup writes them; nothing here writes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection

from reports.models import MonthlyRollup
from reports.packed import pack
from reports.rollup import Dims

# The counts a month sums as they are (fields RollupCounts has, histograms included).
SUMMED = ("created", "repeat_contacts", "first_contact_resolved", "cross_channel",
          "written_handle_seconds", "written_handled", "call_handle_seconds", "calls_handled",
          "sla_first_response_due", "sla_first_response_met", "sla_next_response_due",
          "sla_next_response_met", "sla_resolution_due", "sla_resolution_met",
          "first_response_buckets", "resolution_buckets", "next_response_buckets")


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


@dataclass
class MonthValues:
    sums: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SUMMED, 0))
    first_responses: int = 0
    resolved: int = 0
    next_responses: int = 0
    # Per day of the month and per weekday x hour, unpacked until the row is made.
    created_by_day: list[int] = field(default_factory=lambda: [0] * 31)
    resolved_by_day: list[int] = field(default_factory=lambda: [0] * 31)
    backlog_by_day: list[int] = field(default_factory=lambda: [0] * 31)
    created_by_weekday_hour: list[int] = field(default_factory=lambda: [0] * (7 * 24))

    def row(self, month: date, dims: Dims) -> MonthlyRollup:
        channel, team_id, agent_id = dims
        return MonthlyRollup(
            month=month, channel=channel, team_id=team_id, agent_id=agent_id, **self.sums,
            first_responses=self.first_responses, resolved=self.resolved,
            next_responses=self.next_responses, created_by_day=pack(self.created_by_day),
            resolved_by_day=pack(self.resolved_by_day),
            backlog_by_day=pack(self.backlog_by_day),
            created_by_weekday_hour=pack(self.created_by_weekday_hour))


def compute_month(month: date) -> dict[Dims, MonthValues]:
    """`month`'s rows (its first day), keyed by their dimensions: the counts and packed
    histograms summed in PostgreSQL, then each daily row's day and hour counts placed
    in their cells (the duration arrays are counted there, never fetched)."""
    bounds = (month, next_month(month))
    dims = "channel, team_id, agent_id"
    sums = ", ".join(f"SUM({name})" for name in SUMMED)
    rows: dict[Dims, MonthValues] = defaultdict(MonthValues)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT {dims}, {sums}, SUM(cardinality(first_response_seconds)),
                   SUM(cardinality(resolution_seconds)), SUM(cardinality(next_response_seconds))
            FROM reports_dailyrollup WHERE day >= %s AND day < %s GROUP BY {dims}
        """, bounds)  # noqa: S608 - the columns are ours
        for channel, team_id, agent_id, *values in cursor.fetchall():
            found = rows[(channel, team_id, agent_id)]
            summed, sizes = values[:len(SUMMED)], values[len(SUMMED):]
            found.sums = {name: int(value) for name, value in zip(SUMMED, summed, strict=True)}
            found.first_responses, found.resolved, found.next_responses = (int(n) for n in sizes)
        cursor.execute(f"""
            SELECT {dims}, day, created, cardinality(resolution_seconds), backlog,
                   created_by_hour
            FROM reports_dailyrollup WHERE day >= %s AND day < %s
        """, bounds)  # noqa: S608
        for channel, team_id, agent_id, day, created, resolved, backlog, hours in cursor:
            found = rows[(channel, team_id, agent_id)]
            found.created_by_day[day.day - 1] += created
            found.resolved_by_day[day.day - 1] += resolved
            found.backlog_by_day[day.day - 1] += backlog
            first = 24 * day.weekday()
            for hour, count in enumerate(hours):
                found.created_by_weekday_hour[first + hour] += count
    return rows
