"""A report's public shape, shared by the page, its CSV files and /api/v1/reports/."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from agents.models import Team
from conversations.channels import find_channel
from reports import satisfaction
from reports.queries import WEEKDAYS, Figures, Scope, daily, figures, heatmap

BREAKDOWNS = ("channel", "team", "agent")


def figures_payload(found: Figures) -> dict[str, Any]:
    return {
        "created": found.created,
        "first_responses": found.first_responses,
        "resolved": found.resolved,
        "first_response_seconds": {"median": found.first_response_median,
                                   "p90": found.first_response_p90},
        "resolution_seconds": {"median": found.resolution_median,
                               "p90": found.resolution_p90},
        "next_responses": found.next_responses,
        "next_response_seconds": {"median": found.next_response_median,
                                  "p90": found.next_response_p90},
        "handle_seconds": {
            "written": {"average": found.written_handle_average,
                        "count": found.written_handled},
            "calls": {"average": found.call_handle_average, "count": found.calls_handled},
        },
        "first_contact_resolved": found.first_contact_resolved,
        "first_contact_resolution_rate": found.fcr_rate,
        "cross_channel": found.cross_channel,
        "cross_channel_contact_rate": found.cross_channel_rate,
        "repeat_contacts": found.repeat_contacts,
        "repeat_contact_rate": found.repeat_contact_rate,
        "sla": {target: {"met": met, "due": due, "rate": met / due if due else None}
                for target, (met, due) in found.sla.items()},
        "sla_attainment_rate": found.sla_rate,
    }


def _labels(by: str, keys: list[Any]) -> dict[Any, str]:
    if by == "channel":
        return {k: (spec.label if (spec := find_channel(k)) else (k or "Unknown")) for k in keys}
    if by == "team":
        names = dict(Team.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name"))
        return {k: names.get(k, "No team") for k in keys}
    users = get_user_model().objects.filter(pk__in=[k for k in keys if k])
    names = {u.pk: u.get_full_name() or u.get_username() for u in users}
    return {k: names.get(k, "Unassigned") for k in keys}


def breakdown(scope: Scope, by: str) -> list[dict[str, Any]]:
    found = figures(scope, by)
    labels = _labels(by, [f.key for f in found])
    return [{"key": f.key, "label": labels[f.key], **figures_payload(f)} for f in found]


def period_payload(scope: Scope) -> dict[str, Any]:
    return {"from": scope.start.isoformat(), "to": scope.end.isoformat(), "days": scope.days}


def summary(scope: Scope) -> dict[str, Any]:
    previous = scope.previous()
    current = figures(scope)[0]
    return {
        "period": period_payload(scope),
        "previous_period": period_payload(previous),
        "filters": {"channel": scope.channel or None, "team": scope.team_id,
                    "agent": scope.agent_id},
        "current": figures_payload(current),
        "previous": figures_payload(figures(previous)[0]),
        # Per target: the share met of those decided in the period (SLAOutcome rows).
        "sla_attainment": {target: (met / due if due else None)
                           for target, (met, due) in current.sla.items()},
        # None: no survey went out in the period.
        "csat": satisfaction.csat(scope),
    }


def daily_payload(scope: Scope) -> list[dict[str, Any]]:
    return [{**row, "day": row["day"].isoformat()} for row in daily(scope)]


def heatmap_payload(scope: Scope) -> dict[str, Any]:
    return {"weekdays": list(WEEKDAYS), "hours": list(range(24)), "created": heatmap(scope)}
