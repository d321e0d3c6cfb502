"""Routing configuration through the API: leads and admins read, admins write."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from agents.access import agent_for, is_admin
from agents.actions.routing_settings import (
    SettingsError,
    do_update_agent_routing,
    do_update_team_routing,
)
from agents.models import Agent, Team
from api.serializers.routing import (
    AgentRoutingSerializer,
    BusinessHoursSerializer,
    DryRunSerializer,
    RoutingRuleSerializer,
    SLAPolicySerializer,
    TeamRoutingSerializer,
)
from api.views.base import AgentViewSet, Refused
from conversations.models import Conversation
from routing.models import BusinessHours, RoutingRule, SLAPolicy
from routing.rules import facts_of, first_match


class LeadsReadAdminsWrite(BasePermission):
    message = "Only leads may read this, and only admins change it."

    def has_permission(self, request: Request, view: Any) -> bool:
        agent = agent_for(request.user)
        if agent is None or not agent.sees_everything:
            return False
        reads = request.method in SAFE_METHODS or getattr(view, "action", None) == "dry_run"
        return reads or is_admin(agent)


class ConfigViewSet(AgentViewSet):
    permission_classes = [*AgentViewSet.permission_classes, LeadsReadAdminsWrite]


@extend_schema(tags=["routing"])
class RoutingRuleViewSet(viewsets.ModelViewSet, ConfigViewSet):  # type: ignore[type-arg]
    """Ordered by position: the first active rule whose conditions hold wins."""

    serializer_class = RoutingRuleSerializer
    queryset = RoutingRule.objects.order_by("position", "id")

    @extend_schema(request=DryRunSerializer, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="dry-run")
    def dry_run(self, request: Request) -> Response:
        """Which rule matches this conversation (its latest inbound), and why each rule
        before it did not."""
        given = DryRunSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        conversation = (
            Conversation.objects.select_related("customer")
            .filter(pk=given.validated_data["conversation"]).first()
        )
        if conversation is None:
            raise NotFound("No such conversation.")
        latest = conversation.interactions.filter(direction="in").order_by("-id").first()
        rule, verdicts = first_match(facts_of(conversation, latest))
        return Response({
            "conversation": conversation.pk,
            "matched": None if rule is None else {"id": rule.pk, "name": rule.name},
            "rules": [v.as_dict() for v in verdicts],
        })


@extend_schema(tags=["routing"])
class SLAPolicyViewSet(viewsets.ModelViewSet, ConfigViewSet):  # type: ignore[type-arg]
    serializer_class = SLAPolicySerializer
    queryset = SLAPolicy.objects.order_by("channel", "priority", "id")


@extend_schema(tags=["routing"])
class BusinessHoursViewSet(viewsets.ModelViewSet, ConfigViewSet):  # type: ignore[type-arg]
    serializer_class = BusinessHoursSerializer
    queryset = BusinessHours.objects.order_by("name")


class _SettingsUpdate(mixins.UpdateModelMixin):
    def perform_update(self, serializer: Any) -> None:
        changes = dict(serializer.validated_data)
        try:
            serializer.instance = self.update_action(  # type: ignore[attr-defined]
                serializer.instance, by=self.request.user, changes=changes  # type: ignore[attr-defined]
            )
        except SettingsError as exc:
            raise Refused(str(exc)) from exc


@extend_schema(tags=["routing"])
class AgentRoutingViewSet(  # type: ignore[misc]
    _SettingsUpdate, mixins.ListModelMixin, mixins.RetrieveModelMixin, ConfigViewSet
):
    """Agents' skills, languages and capacities per channel (by user id)."""

    serializer_class = AgentRoutingSerializer
    lookup_field = "user_id"
    lookup_url_kwarg = "pk"
    http_method_names = ["get", "patch", "head", "options"]
    update_action = staticmethod(do_update_agent_routing)

    def get_queryset(self) -> QuerySet[Agent]:
        return Agent.objects.select_related("user").order_by("user__username")


@extend_schema(tags=["routing"])
class TeamRoutingViewSet(  # type: ignore[misc]
    _SettingsUpdate, mixins.ListModelMixin, mixins.RetrieveModelMixin, ConfigViewSet
):
    """Teams' assignment mode (round_robin, least_busy, manual) and capacities."""

    serializer_class = TeamRoutingSerializer
    queryset = Team.objects.order_by("name")
    http_method_names = ["get", "patch", "head", "options"]
    update_action = staticmethod(do_update_team_routing)
