"""Teams and agents: who works the inbox and what they may see."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AssignmentMode(models.TextChoices):
    ROUND_ROBIN = "round_robin", "Round robin"
    LEAST_BUSY = "least_busy", "Least busy"
    MANUAL = "manual", "Manual (no automatic assignment)"


# Open conversations an agent takes at a time per channel, unless the team or the agent
# says otherwise; a channel not named here counts as a written one.
DEFAULT_CAPACITY: dict[str, int] = {"chat": 3, "voice": 1}
DEFAULT_WRITTEN_CAPACITY = 10


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    assignment_mode = models.CharField(
        max_length=12, choices=AssignmentMode.choices, default=AssignmentMode.ROUND_ROBIN
    )
    # {channel: open conversations per agent}; missing channels take DEFAULT_CAPACITY.
    capacities = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    LEAD = "lead", "Team lead"
    AGENT = "agent", "Agent"


class Presence(models.TextChoices):
    ONLINE = "online", "Online"
    AWAY = "away", "Away"
    OFFLINE = "offline", "Offline"


class AgentState(models.TextChoices):
    """Not stored: read from the user (agents.models.Agent.state)."""

    INVITED = "invited", "Invited"  # no password chosen yet, never signed in
    ACTIVE = "active", "Active"
    DEACTIVATED = "deactivated", "Deactivated"  # the user is inactive: no session, no sign-in


class Agent(models.Model):
    """The helpdesk side of a Django user: role, teams, presence."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.AGENT)
    teams = models.ManyToManyField(Team, related_name="agents", blank=True)
    presence = models.CharField(max_length=10, choices=Presence.choices, default=Presence.OFFLINE)
    languages = models.JSONField(default=list, blank=True)
    skills = models.JSONField(default=list, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    # Set away by hand: stays away while connected, until set online again.
    away = models.BooleanField(default=False)
    # The last ping of one of the agent's workspace sockets (agents.actions.presence).
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)
    # {channel: open conversations}; overrides the team's capacities for this agent.
    capacities = models.JSONField(default=dict, blank=True)
    # Round robin takes the online agent assigned longest ago.
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user__username"]

    def __str__(self) -> str:
        return self.user.get_username()

    @property
    def sees_everything(self) -> bool:
        return self.role in (Role.ADMIN, Role.LEAD)

    @property
    def state(self) -> AgentState:
        user = self.user
        if not user.is_active:
            return AgentState.DEACTIVATED
        if not user.has_usable_password() and user.last_login is None:
            return AgentState.INVITED
        return AgentState.ACTIVE

    def capacity_for(self, channel: str, team: Team | None) -> int:
        """Open conversations of `channel` this agent takes at a time."""
        for source in (self.capacities, team.capacities if team is not None else {}):
            if channel in source:
                return int(source[channel])
        return DEFAULT_CAPACITY.get(channel, DEFAULT_WRITTEN_CAPACITY)
