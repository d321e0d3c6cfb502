"""Reading reports from the rollups, never from the conversations. A scope's rows are its
whole rolled-up months (MonthlyRollup) and the days around them (DailyRollup,
reports.sources): a year is ~12 x (channels x teams x agents) monthly rows plus the odd
days' rows. Counts and the packed duration histograms are summed in PostgreSQL (one
SUM(numeric) per histogram, reports.packed); up to REPORTS_EXACT_LIMIT durations, the
medians and 90th percentiles are exact instead (unnest + percentile_cont over the daily
rows' duration arrays).

A scope is who asks (admins: every team; leads: their teams) plus the filters: period,
channel, team, agent. The previous period is as long and ends the day before.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import connection

from reports.histogram import BUCKETS, percentile
from reports.models import SLA_TARGETS
from reports.monthly import next_month
from reports.packed import unpack
from reports.sources import Sources, sources
from reports.sources import daily_where as daily_where_sql
from reports.sources import monthly_where as monthly_where_sql

GROUPS = {"channel": "channel", "team": "team_id", "agent": "agent_id"}


@dataclass(frozen=True)
class Scope:
    start: date
    end: date  # inclusive
    channel: str = ""
    team_id: int | None = None
    agent_id: int | None = None
    # None: every team (admins); else the teams a lead may see.
    team_ids: tuple[int, ...] | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Scope:
        end = self.start - timedelta(days=1)
        return replace(self, start=end - timedelta(days=self.days - 1), end=end)


@dataclass
class Figures:
    key: Any = None  # the group's value (channel, team id, agent id) or None
    created: int = 0
    repeat_contacts: int = 0
    first_responses: int = 0
    resolved: int = 0
    first_contact_resolved: int = 0
    cross_channel: int = 0
    next_responses: int = 0
    first_response_median: int | None = None  # seconds
    first_response_p90: int | None = None
    resolution_median: int | None = None
    resolution_p90: int | None = None
    next_response_median: int | None = None
    next_response_p90: int | None = None
    # Handle time (reports.rollup): how many, and their seconds summed.
    written_handled: int = 0
    written_handle_seconds: int = 0
    calls_handled: int = 0
    call_handle_seconds: int = 0
    # SLA targets decided: {target: (met, due)} for first_response, next_response, resolution.
    sla: dict[str, tuple[int, int]] = field(
        default_factory=lambda: {target: (0, 0) for target in SLA_TARGETS})
    extra: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @staticmethod
    def _average(total: int, count: int) -> int | None:
        return round(total / count) if count else None

    @property
    def written_handle_average(self) -> int | None:
        return self._average(self.written_handle_seconds, self.written_handled)

    @property
    def call_handle_average(self) -> int | None:
        return self._average(self.call_handle_seconds, self.calls_handled)

    @property
    def fcr_rate(self) -> float | None:
        return self._rate(self.first_contact_resolved, self.resolved)

    @property
    def cross_channel_rate(self) -> float | None:
        return self._rate(self.cross_channel, self.resolved)

    @property
    def repeat_contact_rate(self) -> float | None:
        return self._rate(self.repeat_contacts, self.created)

    @property
    def sla_met(self) -> int:
        return sum(met for met, _due in self.sla.values())

    @property
    def sla_due(self) -> int:
        return sum(due for _met, due in self.sla.values())

    @property
    def sla_rate(self) -> float | None:
        return self._rate(self.sla_met, self.sla_due)


# The durations the rollup keeps, each as <name>_seconds (a daily row's array) and
# <name>_buckets (a packed histogram); Figures has <name>_median and <name>_p90 for each.
DURATIONS = ("first_response", "resolution", "next_response")
COUNTS = ("created", "repeat_contacts", "first_contact_resolved", "cross_channel",
          "written_handled", "written_handle_seconds", "calls_handled", "call_handle_seconds",
          *(f"sla_{t}_{k}" for t in SLA_TARGETS for k in ("due", "met")))
# Figures' (and MonthlyRollup's) name for the count of each duration.
DURATION_COUNTS = {"first_response": "first_responses", "resolution": "resolved",
                   "next_response": "next_responses"}


def _rows_sql(scope: Scope, found: Sources) -> tuple[str, list[Any]]:
    """The scope's daily and monthly rows as one relation: dimensions, COUNTS, the
    durations' counts and packed histograms."""
    counts = ", ".join(COUNTS)
    buckets = ", ".join(f"{name}_buckets" for name in DURATIONS)
    sizes_daily = ", ".join(f"cardinality({name}_seconds) AS {DURATION_COUNTS[name]}"
                            for name in DURATIONS)
    sizes_monthly = ", ".join(DURATION_COUNTS[name] for name in DURATIONS)
    daily_where, daily_params = daily_where_sql(scope, found.day_ranges)
    monthly_where, monthly_params = monthly_where_sql(scope, found.months)
    sql = f"""
        SELECT channel, team_id, agent_id, {counts}, {sizes_daily}, {buckets}
        FROM reports_dailyrollup WHERE {daily_where}
        UNION ALL
        SELECT channel, team_id, agent_id, {counts}, {sizes_monthly}, {buckets}
        FROM reports_monthlyrollup WHERE {monthly_where}
    """  # noqa: S608 - the columns are ours, the filters parameters
    return sql, daily_params + monthly_params


def _whole(percentiles: list[float] | None, n: int) -> int | None:
    """Whole seconds: the durations are whole seconds, and the interpolation's float
    noise (31319.999…) is not a figure anyone reads."""
    return round(percentiles[n]) if percentiles else None


def _figures_of(g: Any, values: list[Any]) -> Figures:
    counts = values[:len(COUNTS)]
    sizes = values[len(COUNTS):len(COUNTS) + len(DURATIONS)]
    packed = values[len(COUNTS) + len(DURATIONS):]
    found = Figures(key=g)
    for name, value in zip(COUNTS, counts, strict=True):
        if not name.startswith("sla_"):
            setattr(found, name, int(value or 0))
    found.sla = {target: (int(counts[COUNTS.index(f"sla_{target}_met")] or 0),
                          int(counts[COUNTS.index(f"sla_{target}_due")] or 0))
                 for target in SLA_TARGETS}
    for name, size, histogram in zip(DURATIONS, sizes, packed, strict=True):
        buckets = unpack(histogram, BUCKETS)
        setattr(found, DURATION_COUNTS[name], int(size or 0))
        setattr(found, f"{name}_median", percentile(buckets, 0.5))
        setattr(found, f"{name}_p90", percentile(buckets, 0.9))
    return found


def figures(scope: Scope, group: str | None = None) -> list[Figures]:
    """One Figures per group value (or one for the whole scope). One statement sums the
    counts and the packed histograms; when the scope holds at most REPORTS_EXACT_LIMIT
    durations, a second one computes the percentiles exactly from the daily arrays
    (sorting a million durations takes seconds, summing a year of histograms
    milliseconds)."""
    column = GROUPS[group] if group else "NULL::integer"
    rows_sql, params = _rows_sql(scope, sources(scope))
    sums = ", ".join(f"SUM({name})" for name in
                     (*COUNTS, *DURATION_COUNTS.values(), *(f"{d}_buckets" for d in DURATIONS)))
    sql = f"SELECT {column} AS g, {sums} FROM ({rows_sql}) r GROUP BY 1"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {g: _figures_of(g, values) for g, *values in cursor.fetchall()}
    durations = sum(getattr(f, count) for f in found.values()
                    for count in DURATION_COUNTS.values())
    if found and durations <= settings.REPORTS_EXACT_LIMIT:
        _exact_percentiles(found, column, scope)
    ordered = sorted(found.values(), key=lambda f: (-f.created, str(f.key)))
    if group is None:
        return ordered or [Figures()]
    return ordered


def _exact_percentiles(found: dict[Any, Figures], column: str, scope: Scope) -> None:
    """The scope's durations are all in its daily rows' arrays (months included)."""
    where, params = daily_where_sql(scope, ((scope.start, scope.end),))
    percentiles = "percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY v)"
    parts = " UNION ALL ".join(
        f"SELECT g, {n} AS which, {percentiles} AS p "  # noqa: S608 - names are ours
        f"FROM f, unnest(f.{name}_seconds) v GROUP BY g" for n, name in enumerate(DURATIONS))
    arrays = ", ".join(f"{name}_seconds" for name in DURATIONS)
    sql = f"""
        WITH f AS (SELECT {column} AS g, {arrays} FROM reports_dailyrollup WHERE {where})
        {parts}
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for g, which, values in cursor.fetchall():
            name = DURATIONS[which]
            setattr(found[g], f"{name}_median", _whole(values, 0))
            setattr(found[g], f"{name}_p90", _whole(values, 1))


def daily(scope: Scope) -> list[dict[str, Any]]:
    """Per day of the period: new, resolved, and the backlog at the day's end; a rolled-up
    month's days come packed in its monthly rows."""
    found = sources(scope)
    by_day: dict[date, tuple[int, int, int]] = {}
    with connection.cursor() as cursor:
        if found.day_ranges:
            where, params = daily_where_sql(scope, found.day_ranges)
            cursor.execute(f"""
                SELECT day, SUM(created), SUM(cardinality(resolution_seconds)), SUM(backlog)
                FROM reports_dailyrollup WHERE {where} GROUP BY day
            """, params)  # noqa: S608
            by_day.update({d: (int(c), int(r), int(b)) for d, c, r, b in cursor.fetchall()})
        if found.months:
            where, params = monthly_where_sql(scope, found.months)
            cursor.execute(f"""
                SELECT month, SUM(created_by_day), SUM(resolved_by_day), SUM(backlog_by_day)
                FROM reports_monthlyrollup WHERE {where} GROUP BY month
            """, params)  # noqa: S608
            for month, *packed in cursor.fetchall():
                new, closed, open_ = (unpack(p, 31) for p in packed)
                for n in range((next_month(month) - month).days):
                    by_day[month + timedelta(days=n)] = (new[n], closed[n], open_[n])
    series = []
    for n in range(scope.days):
        day = scope.start + timedelta(days=n)
        created, resolved, backlog = by_day.get(day, (0, 0, 0))
        series.append({"day": day, "created": created, "resolved": resolved,
                       "backlog": backlog})
    return series


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def heatmap(scope: Scope) -> list[list[int]]:
    """New conversations by weekday (Monday first) and local hour: the daily rows' hour
    arrays summed position by position, the monthly rows' packed weekday x hour cells."""
    found = sources(scope)
    grid = [[0] * 24 for _ in WEEKDAYS]
    with connection.cursor() as cursor:
        if found.day_ranges:
            where, params = daily_where_sql(scope, found.day_ranges)
            hours = ", ".join(f"SUM(created_by_hour[{h}])" for h in range(1, 25))
            cursor.execute(f"""
                SELECT EXTRACT(ISODOW FROM day)::int, {hours}
                FROM reports_dailyrollup WHERE {where} GROUP BY 1
            """, params)  # noqa: S608
            for weekday, *counts in cursor.fetchall():
                grid[weekday - 1] = [int(n or 0) for n in counts]
        if found.months:
            where, params = monthly_where_sql(scope, found.months)
            cursor.execute(f"""
                SELECT SUM(created_by_weekday_hour) FROM reports_monthlyrollup WHERE {where}
            """, params)  # noqa: S608
            cells = unpack(cursor.fetchone()[0], 24 * len(WEEKDAYS))
            for weekday, row in enumerate(grid):
                for hour in range(24):
                    row[hour] += cells[24 * weekday + hour]
    return grid
