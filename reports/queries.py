"""Reading reports from the daily rollup, never from the conversations: a year of rows is
at most 365 x (channels x teams x agents that had anything that day), and the medians and
90th percentiles come from PostgreSQL (unnest + percentile_cont, interpolated) over the
rows' duration arrays.

A scope is who asks (admins: every team; leads: their teams) plus the filters: period,
channel, team, agent. The previous period is as long and ends the day before.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from reports.histogram import BUCKETS, percentile
from reports.models import SLA_TARGETS, DailyRollup

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


def rows(scope: Scope) -> QuerySet[DailyRollup]:
    qs = DailyRollup.objects.filter(day__gte=scope.start, day__lte=scope.end)
    if scope.team_ids is not None:
        qs = qs.filter(team_id__in=scope.team_ids)
    if scope.channel:
        qs = qs.filter(channel=scope.channel)
    if scope.team_id is not None:
        qs = qs.filter(team_id=scope.team_id)
    if scope.agent_id is not None:
        qs = qs.filter(agent_id=scope.agent_id)
    return qs


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


# The durations the rollup keeps, each as <name>_seconds (an array) and
# <name>_histogram; Figures has <name>_median and <name>_p90 for each.
DURATIONS = ("first_response", "resolution", "next_response")
COUNTS = ("created", "repeat_contacts", "first_contact_resolved", "cross_channel",
          "written_handled", "written_handle_seconds", "calls_handled", "call_handle_seconds",
          *(f"sla_{t}_{k}" for t in SLA_TARGETS for k in ("due", "met")))
# Figures' name for the count of each duration array.
DURATION_COUNTS = {"first_response": "first_responses", "resolution": "resolved",
                   "next_response": "next_responses"}


def _subquery(qs: QuerySet[DailyRollup]) -> tuple[str, tuple[Any, ...]]:
    try:
        sql, params = qs.values("id").query.sql_with_params()
    except EmptyResultSet:  # a lead of no team: `team_id IN ()`
        return "SELECT NULL::bigint WHERE false", ()
    return sql, tuple(params)


def _whole(percentiles: list[float] | None, n: int) -> int | None:
    """Whole seconds: the durations are whole seconds, and the interpolation's float
    noise (31319.999…) is not a figure anyone reads."""
    return round(percentiles[n]) if percentiles else None


def _figures_of(g: Any, counts: list[Any], sizes: list[Any],
                histograms: list[list[int]]) -> Figures:
    found = Figures(key=g)
    for name, value in zip(COUNTS, counts, strict=True):
        if not name.startswith("sla_"):
            setattr(found, name, int(value or 0))
    found.sla = {target: (int(counts[COUNTS.index(f"sla_{target}_met")] or 0),
                          int(counts[COUNTS.index(f"sla_{target}_due")] or 0))
                 for target in SLA_TARGETS}
    for name, size, counts_of in zip(DURATIONS, sizes, histograms, strict=True):
        setattr(found, DURATION_COUNTS[name], int(size or 0))
        setattr(found, f"{name}_median", percentile(counts_of, 0.5))
        setattr(found, f"{name}_p90", percentile(counts_of, 0.9))
    return found


def figures(scope: Scope, group: str | None = None) -> list[Figures]:
    """One Figures per group value (or one for the whole scope). One statement sums the
    counts and the duration histograms; when the scope holds at most REPORTS_EXACT_LIMIT
    durations, a second one computes the percentiles exactly from the arrays (sorting a
    million durations takes seconds, summing a year of histograms a fraction of one)."""
    column = GROUPS[group] if group else "NULL::integer"
    sub, params = _subquery(rows(scope))
    sums = ", ".join(f"SUM({name})" for name in COUNTS)
    sizes = ", ".join(f"SUM(cardinality({name}_seconds))" for name in DURATIONS)
    histograms = ", ".join(f"SUM({name}_histogram[{n}])" for name in DURATIONS
                           for n in range(1, BUCKETS + 1))
    sql = f"""
        SELECT {column} AS g, {sums}, {sizes}, {histograms}
        FROM reports_dailyrollup r WHERE r.id IN ({sub}) GROUP BY 1
    """  # noqa: S608 - the column comes from GROUPS, the filters are parameters
    found: dict[Any, Figures] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for g, *values in cursor.fetchall():
            counts, rest = values[:len(COUNTS)], values[len(COUNTS):]
            sized, flat = rest[:len(DURATIONS)], [int(n or 0) for n in rest[len(DURATIONS):]]
            found[g] = _figures_of(g, counts, sized, [
                flat[n * BUCKETS:(n + 1) * BUCKETS] for n in range(len(DURATIONS))])
    durations = sum(getattr(f, count) for f in found.values()
                    for count in DURATION_COUNTS.values())
    if found and durations <= settings.REPORTS_EXACT_LIMIT:
        _exact_percentiles(found, column, sub, params)
    ordered = sorted(found.values(), key=lambda f: (-f.created, str(f.key)))
    if group is None:
        return ordered or [Figures()]
    return ordered


def _exact_percentiles(found: dict[Any, Figures], column: str, sub: str,
                       params: tuple[Any, ...]) -> None:
    percentiles = "percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY v)"
    parts = " UNION ALL ".join(
        f"SELECT g, {n} AS which, {percentiles} AS p "  # noqa: S608 - names are ours
        f"FROM f, unnest(f.{name}_seconds) v GROUP BY g" for n, name in enumerate(DURATIONS))
    sql = f"""
        WITH f AS (SELECT {column} AS g, r.* FROM reports_dailyrollup r WHERE r.id IN ({sub}))
        {parts}
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for g, which, values in cursor.fetchall():
            name = DURATIONS[which]
            setattr(found[g], f"{name}_median", _whole(values, 0))
            setattr(found[g], f"{name}_p90", _whole(values, 1))


def daily(scope: Scope) -> list[dict[str, Any]]:
    """Per day of the period: new, resolved, and the backlog at the day's end."""
    sub, params = _subquery(rows(scope))
    sql = f"""
        SELECT day, SUM(created), SUM(cardinality(resolution_seconds)), SUM(backlog)
        FROM reports_dailyrollup WHERE id IN ({sub}) GROUP BY day
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        by_day = {d: (int(c), int(r), int(b)) for d, c, r, b in cursor.fetchall()}
    series = []
    for n in range(scope.days):
        day = scope.start + timedelta(days=n)
        created, resolved, backlog = by_day.get(day, (0, 0, 0))
        series.append({"day": day, "created": created, "resolved": resolved,
                       "backlog": backlog})
    return series


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def heatmap(scope: Scope) -> list[list[int]]:
    """New conversations by weekday (Monday first) and local hour: the hour arrays summed
    position by position (no unnest: one pass over the rows)."""
    sub, params = _subquery(rows(scope))
    hours = ", ".join(f"SUM(created_by_hour[{h}])" for h in range(1, 25))
    sql = f"""
        SELECT EXTRACT(ISODOW FROM day)::int, {hours}
        FROM reports_dailyrollup WHERE id IN ({sub}) GROUP BY 1
    """  # noqa: S608
    grid = [[0] * 24 for _ in WEEKDAYS]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for weekday, *counts in cursor.fetchall():
            grid[weekday - 1] = [int(n or 0) for n in counts]
    return grid

