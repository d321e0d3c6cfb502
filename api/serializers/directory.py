"""Teams and agents, and the short references other resources embed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from rest_framework import serializers

from agents.models import Agent, Team


def display_name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


class TeamRefSerializer(serializers.ModelSerializer[Team]):
    class Meta:
        model = Team
        fields = ["id", "name"]
        read_only_fields = fields


class UserRefSerializer(serializers.ModelSerializer[User]):
    """An agent as a conversation's assignee or an interaction's author: `id` is the
    user id, the one to send as `assignee`."""

    name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name"]
        read_only_fields = fields

    def get_name(self, user: User) -> str:
        return display_name(user)


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
