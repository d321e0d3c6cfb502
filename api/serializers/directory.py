"""Teams and agents, and the short references other resources embed."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from agents.models import Agent, Team
from conversations.payloads import display_name


class TeamRefSerializer(serializers.Serializer[Any]):
    """A conversation's team (conversations.payloads.team_ref)."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class UserRefSerializer(serializers.Serializer[Any]):
    """An agent as a conversation's assignee (conversations.payloads.user_ref): `id` is
    the user id, the one to send as `assignee`."""

    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class TeamSerializer(serializers.ModelSerializer[Team]):
    class Meta:
        model = Team
        fields = ["id", "name", "slug", "created_at"]
        read_only_fields = fields


class AgentSerializer(serializers.ModelSerializer[Agent]):
    id = serializers.IntegerField(
        source="user_id", read_only=True, help_text="The user id: use it as `assignee`."
    )
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.SerializerMethodField()
    teams: serializers.PrimaryKeyRelatedField[Team] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = Agent
        fields = ["id", "username", "name", "email", "role", "presence", "teams",
                  "languages", "skills"]
        read_only_fields = fields

    def get_name(self, agent: Agent) -> str:
        return display_name(agent.user)
