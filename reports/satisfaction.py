"""CSAT and customer effort for a report's scope, read from the survey rows.

A survey is counted in the period it was sent (in the reports' time zone) and by its
conversation's team and assignee and the channel it went out on. One indexed range of
surveys (one per resolution, far fewer than interactions), aggregated in one query;
a rollup column would take it over if it ever costs more than the rest of the page."""

from __future__ import annotations

from django.db.models import Avg, Count, Q

from csat.models import CsatSurvey
from reports.queries import Scope
from reports.rollup import day_bounds


def csat(scope: Scope) -> dict[str, float] | None:
    """{sent, answered, response_rate, average, effort_average?}; None when no survey
    was sent in the period."""
    start, _ = day_bounds(scope.start)
    _, end = day_bounds(scope.end)
    surveys = CsatSurvey.objects.filter(sent_at__gte=start, sent_at__lt=end)
    if scope.team_ids is not None:
        surveys = surveys.filter(conversation__team_id__in=scope.team_ids)
    if scope.channel:
        surveys = surveys.filter(channel=scope.channel)
    if scope.team_id is not None:
        surveys = surveys.filter(conversation__team_id=scope.team_id)
    if scope.agent_id is not None:
        surveys = surveys.filter(conversation__assignee_id=scope.agent_id)
    found = surveys.aggregate(
        sent=Count("id"), answered=Count("id", filter=Q(rating__isnull=False)),
        average=Avg("rating"), effort_average=Avg("effort"),
    )
    if not found["sent"]:
        return None
    figures = {
        "sent": float(found["sent"]),
        "answered": float(found["answered"]),
        "response_rate": found["answered"] / found["sent"],
    }
    if found["average"] is not None:
        figures["average"] = float(found["average"])
    if found["effort_average"] is not None:
        figures["effort_average"] = float(found["effort_average"])
    return figures
