"""Canned responses and macros: personal (owner = you), shared with a team, or with
everyone (leads and admins share)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from agents.models import Team
from conversations.params import MAX_ID
from macros.models import CannedResponse, Macro
from macros.steps import clean_steps

SCOPES = [("personal", "personal"), ("team", "team"), ("everyone", "everyone")]


class SharedSerializer(serializers.ModelSerializer[Any]):
    scope = serializers.ChoiceField(
        choices=SCOPES, default="personal",
        help_text="personal (yours alone), team (the agents of `team`), everyone.",
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), allow_null=True, required=False,
        help_text="The team it is shared with, when scope is team.",
    )
    owner = serializers.IntegerField(source="owner_id", read_only=True, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        scope = attrs.get("scope") or (self.instance.scope if self.instance else "personal")
        team = attrs.get("team", self.instance.team if self.instance else None)
        if scope == "team" and team is None:
            raise serializers.ValidationError({"team": ["A team-shared one names its team."]})
        return attrs


class CannedResponseSerializer(SharedSerializer):
    class Meta:
        model = CannedResponse
        fields = ["id", "name", "shortcut", "body", "scope", "team", "owner", "created_at",
                  "updated_at"]
        read_only_fields = ["id", "owner", "created_at", "updated_at"]


class MacroSerializer(SharedSerializer):
    actions = serializers.JSONField(
        help_text='Steps run in order: {"type": "reply"|"note", "text"} · {"type": '
                  '"add_tags"|"remove_tags", "tags"} · {"type": "status", "status", '
                  '"snooze_hours"?} · {"type": "assign", "user_id"} · {"type": "team", '
                  '"team_id"} · {"type": "priority", "priority"}.',
    )

    class Meta:
        model = Macro
        fields = ["id", "name", "description", "actions", "scope", "team", "owner",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "owner", "created_at", "updated_at"]

    def validate_actions(self, value: Any) -> list[dict[str, Any]]:
        try:
            return clean_steps(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc


class ApplyMacroSerializer(serializers.Serializer[Any]):
    conversation = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class AppliedSerializer(serializers.Serializer[Any]):
    done = serializers.ListField(child=serializers.CharField(), help_text="One line a step.")
