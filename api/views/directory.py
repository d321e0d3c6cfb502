"""Teams and agents, read-only: what a client needs to assign and filter."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins

from agents.models import Agent, Team
from api.serializers.directory import AgentSerializer, TeamSerializer
from api.views.base import AgentViewSet


@extend_schema(tags=["directory"])
class TeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AgentViewSet):
    serializer_class = TeamSerializer
    queryset = Team.objects.order_by("name")


@extend_schema(tags=["directory"])
class AgentListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AgentViewSet):
    """Agents, by user id (the id a conversation's `assignee` takes)."""

    serializer_class = AgentSerializer
    lookup_field = "user_id"
    lookup_url_kwarg = "pk"

    def get_queryset(self) -> QuerySet[Agent]:
        return Agent.objects.select_related("user").prefetch_related("teams").order_by(
            "user__username"
        )
