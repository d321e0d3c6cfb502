"""Routing configuration: rules, SLA policies, business hours, agents' and teams'
routing settings. Validation is the models' (clean) and the actions'."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from agents.models import Agent, AssignmentMode, Team
from routing.models import BusinessHours, RoutingRule, SLAPolicy
from routing.rules import validate_conditions


class RoutingRuleSerializer(serializers.ModelSerializer[RoutingRule]):
    class Meta:
        model = RoutingRule
        fields = ["id", "name", "position", "active", "inbox", "conditions",
                  "run_on_channel_switch", "set_team", "set_priority", "add_tags",
                  "set_agent", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate_conditions(self, value: Any) -> Any:
        errors = validate_conditions(value)
        if errors:
            raise serializers.ValidationError(errors)
        return value

    def validate_add_tags(self, value: Any) -> Any:
        if not isinstance(value, list) or not all(isinstance(t, str) and t for t in value):
            raise serializers.ValidationError("a list of tags")
        return value

    def validate_set_priority(self, value: Any) -> Any:
        if value is not None and value not in (0, 1, 2, 3):
            raise serializers.ValidationError("0 (low) to 3 (urgent)")
        return value


class BusinessHoursSerializer(serializers.ModelSerializer[BusinessHours]):
    class Meta:
        model = BusinessHours
        fields = ["id", "name", "timezone", "weekly_hours", "holiday_country",
                  "holiday_subdivision", "closed_dates"]
        read_only_fields = ["id"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = BusinessHours(**{**_current(self.instance, attrs), **attrs})
        try:
            instance.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"weekly_hours": exc.messages}) from exc
        except Exception as exc:  # a malformed value the calendar cannot read
            raise serializers.ValidationError({"weekly_hours": [str(exc)]}) from exc
        return attrs


def _current(instance: Any, attrs: dict[str, Any]) -> dict[str, Any]:
    if instance is None:
        return {}
    return {f: getattr(instance, f) for f in ("name", "timezone", "weekly_hours",
                                              "holiday_country", "holiday_subdivision",
                                              "closed_dates")}


class SLAPolicySerializer(serializers.ModelSerializer[SLAPolicy]):
    class Meta:
        model = SLAPolicy
        fields = ["id", "name", "active", "channel", "priority", "customer_tier",
                  "first_response_seconds", "next_response_seconds", "resolution_seconds",
                  "warn_percent", "business_hours", "pause_outside_hours",
                  "escalate_notify_lead", "escalate_raise_priority", "created_at"]
        read_only_fields = ["id", "created_at"]


class AgentRoutingSerializer(serializers.ModelSerializer[Agent]):
    id = serializers.IntegerField(source="user_id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Agent
        fields = ["id", "username", "skills", "languages", "capacities"]
        read_only_fields = ["id", "username"]


class TeamRoutingSerializer(serializers.ModelSerializer[Team]):
    assignment_mode = serializers.ChoiceField(choices=AssignmentMode.choices, required=False)

    class Meta:
        model = Team
        fields = ["id", "name", "assignment_mode", "capacities"]
        read_only_fields = ["id", "name"]
