"""/api/v1/reports/...: the report page's figures as JSON, for leads (their teams) and
admins. Same parameters as the page: period | from & to, channel, team, agent."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers.reports import (
    BreakdownRowSerializer,
    DaySerializer,
    HeatmapSerializer,
    SummarySerializer,
)
from api.views.base import AgentViewSet
from conversations.params import choice
from reports.access import NotForReports, report_teams
from reports.actions.rollup import refresh_today_if_stale
from reports.availability import UNAVAILABLE, reports_available
from reports.params import scope_from
from reports.payloads import BREAKDOWNS, breakdown, daily_payload, heatmap_payload, summary
from reports.queries import Scope
from reports.rollup import local_day

PARAMETERS = [
    OpenApiParameter("period", str, enum=["7", "28", "90"],
                     description="Days ending today (default 28); ignored with from/to."),
    OpenApiParameter("from", str, description="First day, YYYY-MM-DD."),
    OpenApiParameter("to", str, description="Last day, YYYY-MM-DD (inclusive)."),
    OpenApiParameter("channel", str, description="The channel conversations began on."),
    OpenApiParameter("team", int), OpenApiParameter("agent", int, description="A user id."),
]


class ReportsUnavailable(APIException):
    status_code = 501
    default_detail = UNAVAILABLE
    default_code = "reports_unavailable"


class ReportViewSet(AgentViewSet):
    pagination_class = None  # a report is one answer, never a page of one

    def _scope(self, request: Request) -> Scope:
        try:
            team_ids = report_teams(self.user)
        except NotForReports as exc:
            raise PermissionDenied(str(exc)) from exc
        if not reports_available():
            raise ReportsUnavailable()
        scope = scope_from(request.query_params, team_ids)
        if scope.end >= local_day(timezone.now()):
            refresh_today_if_stale()
        return scope

    @extend_schema(parameters=PARAMETERS, responses=SummarySerializer)
    @action(detail=False)
    def summary(self, request: Request) -> Response:
        """First response, next response and resolution (median, p90 in seconds),
        average handle time (written conversations, calls), first-contact resolution,
        cross-channel and repeat-contact rates, SLA attainment per target, for the period
        and the one before. `csat`: the surveys sent in the period (null: none)."""
        return Response(summary(self._scope(request)))

    @extend_schema(parameters=PARAMETERS, responses=DaySerializer(many=True))
    @action(detail=False)
    def daily(self, request: Request) -> Response:
        """Per day: new, resolved, and the backlog at the day's end."""
        return Response(daily_payload(self._scope(request)))

    @extend_schema(parameters=PARAMETERS, responses=HeatmapSerializer)
    @action(detail=False)
    def heatmap(self, request: Request) -> Response:
        """New conversations by weekday (Monday first) and hour."""
        return Response(heatmap_payload(self._scope(request)))

    @extend_schema(parameters=[*PARAMETERS, OpenApiParameter("by", str, enum=list(BREAKDOWNS))],
                   responses=BreakdownRowSerializer(many=True))
    @action(detail=False)
    def breakdown(self, request: Request) -> Response:
        """The summary's figures per channel, team or agent (`by`)."""
        by = choice(request.query_params, "by", BREAKDOWNS, "channel")
        return Response(breakdown(self._scope(request), by))
