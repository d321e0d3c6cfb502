"""Which rollup rows answer a scope: whole months that are rolled up from MonthlyRollup,
the days around them (and every day of a month not rolled up, such as this one) from
DailyRollup. Both tables share the dimension and count columns, so a report reads them
as one UNION ALL with the same filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from reports.models import RolledMonth
from reports.monthly import month_of, next_month

if TYPE_CHECKING:
    from reports.queries import Scope

Sql = tuple[str, list[Any]]
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Sources:
    months: tuple[date, ...]  # first days of the months read from MonthlyRollup
    day_ranges: tuple[tuple[date, date], ...]  # inclusive, read from DailyRollup


def sources(scope: Scope) -> Sources:
    """The whole months of the scope that have monthly rows, and the days left over."""
    rolled = RolledMonth.objects.filter(
        month__gte=month_of(scope.start), month__lte=scope.end,
    ).order_by("month").values_list("month", flat=True)
    months = tuple(m for m in rolled if m >= scope.start and next_month(m) - ONE_DAY <= scope.end)
    ranges, cursor = [], scope.start
    for month in months:
        if cursor < month:
            ranges.append((cursor, month - ONE_DAY))
        cursor = next_month(month)
    if cursor <= scope.end:
        ranges.append((cursor, scope.end))
    return Sources(months, tuple(ranges))


def _filters(scope: Scope) -> Sql:
    clauses: list[str] = ["TRUE"]
    params: list[Any] = []
    if scope.team_ids is not None:
        clauses.append("team_id = ANY(%s::bigint[])")
        params.append(list(scope.team_ids))
    for column, value in (("channel", scope.channel or None), ("team_id", scope.team_id),
                          ("agent_id", scope.agent_id)):
        if value is not None:
            clauses.append(f"{column} = %s")
            params.append(value)
    return " AND ".join(clauses), params


def daily_where(scope: Scope, ranges: tuple[tuple[date, date], ...]) -> Sql:
    """The WHERE of DailyRollup rows in `ranges` that pass the scope's filters."""
    if not ranges:
        return "FALSE", []
    filters, params = _filters(scope)
    days = " OR ".join("day BETWEEN %s AND %s" for _ in ranges)
    return f"({days}) AND {filters}", [d for pair in ranges for d in pair] + params


def monthly_where(scope: Scope, months: tuple[date, ...]) -> Sql:
    """The WHERE of MonthlyRollup rows of `months` that pass the scope's filters."""
    if not months:
        return "FALSE", []
    filters, params = _filters(scope)
    return f"month = ANY(%s::date[]) AND {filters}", [list(months), *params]
