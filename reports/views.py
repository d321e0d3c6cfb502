"""/reports/: the report page and its CSV files, for leads (their teams) and admins."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from agents.models import Agent, Team
from conversations.channels import channel_choices
from conversations.params import InvalidFilter
from reports.access import NotForReports, report_teams
from reports.actions.rollup import refresh_today_if_stale
from reports.availability import UNAVAILABLE, reports_available
from reports.models import SLA_TARGETS
from reports.params import PERIODS, scope_from
from reports.payloads import BREAKDOWNS, breakdown, daily_payload, heatmap_payload, summary
from reports.present import duration, percent, tiles
from reports.queries import Scope
from reports.rollup import local_day

View = Callable[..., HttpResponse]


def report_page(view: View) -> View:
    """Signed in, a lead or an admin (else 403); the scope read from the query string
    (a bad parameter: 400 naming it); today's rows fresh when the period reaches today."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            team_ids = report_teams(request.user)
        except NotForReports as exc:
            return HttpResponse(str(exc), status=403, content_type="text/plain; charset=utf-8")
        if not reports_available():
            return render(request, "reports/unavailable.html", {"message": UNAVAILABLE})
        try:
            scope = scope_from(request.GET, team_ids)
        except InvalidFilter as exc:
            return HttpResponse(f"{exc.param}: {exc.message}", status=400,
                                content_type="text/plain; charset=utf-8")
        if scope.end >= local_day(timezone.now()):
            refresh_today_if_stale()
        return view(request, scope, *args, **kwargs)

    return wrapped


def _heat_rows(grid: dict[str, Any]) -> list[dict[str, Any]]:
    top = max((n for row in grid["created"] for n in row), default=0)
    return [
        {"weekday": day, "cells": [(n, 0 if not n else 1 + (4 * n) // (top + 1)) for n in row]}
        for day, row in zip(grid["weekdays"], grid["created"], strict=True)
    ]


def _choices(scope: Scope) -> dict[str, Any]:
    teams = Team.objects.order_by("name")
    agents = Agent.objects.select_related("user").order_by("user__username")
    if scope.team_ids is not None:
        teams = teams.filter(pk__in=scope.team_ids)
        agents = agents.filter(teams__in=scope.team_ids).distinct()
    return {
        "periods": list(PERIODS.items()), "channels": channel_choices(),
        "teams": [(t.pk, t.name) for t in teams],
        "agents": [(a.user_id, a.user.get_full_name() or a.user.get_username()) for a in agents],
    }


def _rows_for_table(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{
        **row,
        "frt_median": duration(row["first_response_seconds"]["median"]),
        "frt_p90": duration(row["first_response_seconds"]["p90"]),
        "res_median": duration(row["resolution_seconds"]["median"]),
        "res_p90": duration(row["resolution_seconds"]["p90"]),
        "nrt_median": duration(row["next_response_seconds"]["median"]),
        "nrt_p90": duration(row["next_response_seconds"]["p90"]),
        "aht_written": duration(row["handle_seconds"]["written"]["average"]),
        "aht_calls": duration(row["handle_seconds"]["calls"]["average"]),
        "fcr": percent(row["first_contact_resolution_rate"]),
        "cross": percent(row["cross_channel_contact_rate"]),
        "repeat": percent(row["repeat_contact_rate"]),
        "sla": percent(row["sla_attainment_rate"]),
    } for row in rows]


@report_page
def report(request: HttpRequest, scope: Scope) -> HttpResponse:
    found = summary(scope)
    days = daily_payload(scope)
    grid = heatmap_payload(scope)
    context = {
        "scope": scope, "summary": found, "tiles": tiles(found), "daily": days,
        "heat_rows": _heat_rows(grid), "hours": grid["hours"],
        "breakdowns": BREAKDOWNS,
        "chart": {"days": [d["day"] for d in days], "created": [d["created"] for d in days],
                  "resolved": [d["resolved"] for d in days],
                  "backlog": [d["backlog"] for d in days]},
        "query": request.GET.urlencode(), "report_zone": settings.REPORTS_TIME_ZONE,
        "selected": {k: request.GET.get(k, "") for k in ("period", "channel", "team", "agent",
                                                          "from", "to")},
        **_choices(scope),
    }
    return render(request, "reports/report.html", context)


@report_page
def breakdown_part(request: HttpRequest, scope: Scope, by: str) -> HttpResponse:
    """One breakdown table: swapped into the report page by htmx, or a page of its own."""
    if by not in BREAKDOWNS:
        raise Http404("No such breakdown.")
    context = {"by": by, "rows": _rows_for_table(breakdown(scope, by)), "scope": scope,
               "query": request.GET.urlencode()}
    if request.headers.get("HX-Request"):
        return render(request, "reports/partials/breakdown.html", context)
    return render(request, "reports/breakdown_page.html", context)


def _figure_columns(row: dict[str, Any]) -> list[Any]:
    return [row["created"], row["first_responses"], row["first_response_seconds"]["median"],
            row["first_response_seconds"]["p90"], row["resolved"],
            row["resolution_seconds"]["median"], row["resolution_seconds"]["p90"],
            row["next_responses"], row["next_response_seconds"]["median"],
            row["next_response_seconds"]["p90"],
            row["handle_seconds"]["written"]["count"], row["handle_seconds"]["written"]["average"],
            row["handle_seconds"]["calls"]["count"], row["handle_seconds"]["calls"]["average"],
            row["first_contact_resolved"], row["first_contact_resolution_rate"],
            row["cross_channel"], row["cross_channel_contact_rate"], row["repeat_contacts"],
            row["repeat_contact_rate"],
            *[row["sla"][t][k] for t in SLA_TARGETS for k in ("met", "due")],
            row["sla_attainment_rate"]]


FIGURE_HEADER = ["new", "first_responses", "first_response_median_s", "first_response_p90_s",
                 "resolved", "resolution_median_s", "resolution_p90_s",
                 "next_responses", "next_response_median_s", "next_response_p90_s",
                 "written_handled", "written_handle_average_s", "calls_handled",
                 "call_handle_average_s",
                 "first_contact_resolved", "first_contact_resolution_rate", "cross_channel",
                 "cross_channel_contact_rate", "repeat_contacts", "repeat_contact_rate",
                 *[f"sla_{t}_{k}" for t in SLA_TARGETS for k in ("met", "due")],
                 "sla_attainment_rate"]


def _csv_rows(name: str, scope: Scope) -> list[list[Any]]:
    if name == "summary":
        found = summary(scope)
        return [["period", "from", "to", *FIGURE_HEADER],
                ["current", found["period"]["from"], found["period"]["to"],
                 *_figure_columns(found["current"])],
                ["previous", found["previous_period"]["from"], found["previous_period"]["to"],
                 *_figure_columns(found["previous"])]]
    if name == "daily":
        return [["day", "new", "resolved", "backlog"]] + [
            [d["day"], d["created"], d["resolved"], d["backlog"]] for d in daily_payload(scope)]
    if name == "heatmap":
        grid = heatmap_payload(scope)
        return [["weekday", *[f"{h:02d}:00" for h in grid["hours"]]]] + [
            [day, *row] for day, row in zip(grid["weekdays"], grid["created"], strict=True)]
    if name in BREAKDOWNS:
        return [[name, "key", *FIGURE_HEADER]] + [
            [row["label"], row["key"], *_figure_columns(row)] for row in breakdown(scope, name)]
    raise Http404("No such export.")


def _cell(value: Any) -> Any:
    """Empty for no figure; text a spreadsheet would run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@report_page
def export(request: HttpRequest, scope: Scope, name: str) -> HttpResponse:
    rows = _csv_rows(name, scope)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"omnidesk-{name}-{scope.start.isoformat()}-{scope.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return response
