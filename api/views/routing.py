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
    RoutingRuleSerializer,
    SLAPolicySerializer,
    TeamRoutingSerializer,
)
from api.views.base import AgentViewSet, Refused
from conversations.models import Conversation
from routing.models import BusinessHours, RoutingRule, SLAPolicy
from routing.rules import dry_run


class LeadsReadAdminsWrite(BasePermission):
    message = "Only leads may read this, and only admins change it."

    def has_permission(self, request: Request, view: Any) -> bool:
        agent = agent_for(request.user)
        if agent is None or not agent.sees_everything:
            return False
        return request.method in SAFE_METHODS or is_admin(agent)


class ConfigViewSet(AgentViewSet):
    permission_classes = [*AgentViewSet.permission_classes, LeadsReadAdminsWrite]


@extend_schema(tags=["routing"])
class RoutingRuleViewSet(viewsets.ModelViewSet, ConfigViewSet):  # type: ignore[type-arg]
    """Ordered by position: the first active rule whose conditions hold wins."""

    serializer_class = RoutingRuleSerializer
    queryset = RoutingRule.objects.order_by("position", "id")

    @extend_schema(responses={200: dict})
    @action(detail=False, methods=["get"], url_path=r"dry-run/(?P<conversation_id>[0-9]+)")
    def dry_run(self, request: Request, conversation_id: str) -> Response:
        """Which rule matches this conversation (its latest inbound), and why each rule
        before it did not. Changes nothing."""
        conversation = (
            Conversation.objects.select_related("customer")
            .filter(pk=_id(conversation_id)).first()
        )
        if conversation is None:
            raise NotFound("No such conversation.")
        rule, verdicts = dry_run(conversation)
        return Response({
            "conversation": conversation.pk,
            "matched": None if rule is None else {"id": rule.pk, "name": rule.name},
            "rules": [v.as_dict() for v in verdicts],
        })


def _id(value: str) -> int:
    number = int(value)
    return number if number < 2**63 else 0


@extend_schema(tags=["routing"])
class SLAPolicyViewSet(viewsets.ModelViewSet, ConfigViewSet):  # type: ignore[type-arg]
    serializer_class = SLAPolicySerializer
    queryset = SLAPolicy.objects.order_by("channel", "priority", "id")


@extend_schema(tags=["routing"])
class BusinessHoursViewSet(viewsets.ModelViewSet, ConfigViewSet):  # type: ignore[type-arg]
    serializer_class = BusinessHoursSerializer
    queryset = BusinessHours.objects.order_by("name")


class _SettingsUpdate:
    """PATCH only, through the agents' action (no PUT: settings are changed one by one)."""

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        view: Any = self
        serializer = view.get_serializer(view.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            instance = view.update_action(
                serializer.instance, by=request.user, changes=dict(serializer.validated_data)
            )
        except SettingsError as exc:
            raise Refused(str(exc)) from exc
        return Response(view.get_serializer(instance).data)


@extend_schema(tags=["routing"])
class AgentRoutingViewSet(  # type: ignore[misc]
    _SettingsUpdate, mixins.ListModelMixin, mixins.RetrieveModelMixin, ConfigViewSet
):
    """Agents' skills, languages and capacities per channel (by user id)."""

    serializer_class = AgentRoutingSerializer
    lookup_field = "user_id"
    lookup_url_kwarg = "pk"
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
    update_action = staticmethod(do_update_team_routing)
