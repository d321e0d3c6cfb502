"""What a month's MonthlyRollup rows hold: its daily rows summed per (channel, team,
agent), with the days and weekday x hour cells the chart and heatmap read packed
(reports.packed). reports.actions.rollup writes them; nothing here writes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection

from reports.models import MonthlyRollup
from reports.packed import CELL, pack
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
    created_by_day: int = 0
    resolved_by_day: int = 0
    backlog_by_day: int = 0
    created_by_weekday_hour: int = 0

    def row(self, month: date, dims: Dims) -> MonthlyRollup:
        channel, team_id, agent_id = dims
        return MonthlyRollup(
            month=month, channel=channel, team_id=team_id, agent_id=agent_id, **self.sums,
            first_responses=self.first_responses, resolved=self.resolved,
            next_responses=self.next_responses, created_by_day=self.created_by_day,
            resolved_by_day=self.resolved_by_day, backlog_by_day=self.backlog_by_day,
            created_by_weekday_hour=self.created_by_weekday_hour)


def compute_month(month: date) -> dict[Dims, MonthValues]:
    """`month`'s rows (its first day), keyed by their dimensions: one pass over its daily
    rows, the duration arrays counted in PostgreSQL (cardinality), never fetched."""
    sql = f"""
        SELECT channel, team_id, agent_id, day, created_by_hour, backlog,
               cardinality(first_response_seconds), cardinality(resolution_seconds),
               cardinality(next_response_seconds), {", ".join(SUMMED)}
        FROM reports_dailyrollup WHERE day >= %s AND day < %s
    """  # noqa: S608 - the columns are ours
    rows: dict[Dims, MonthValues] = defaultdict(MonthValues)
    with connection.cursor() as cursor:
        cursor.execute(sql, (month, next_month(month)))
        for channel, team_id, agent_id, day, hours, backlog, *counted in cursor.fetchall():
            values = rows[(channel, team_id, agent_id)]
            frs, resolved, nrs, sums = counted[0], counted[1], counted[2], counted[3:]
            for name, value in zip(SUMMED, sums, strict=True):
                values.sums[name] += int(value)
            values.first_responses += frs
            values.resolved += resolved
            values.next_responses += nrs
            shift = CELL ** (day.day - 1)
            values.created_by_day += sums[0] * shift
            values.resolved_by_day += resolved * shift
            values.backlog_by_day += backlog * shift
            week = CELL ** (24 * day.weekday())
            values.created_by_weekday_hour += week * pack(hours)
    return rows
