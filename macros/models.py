"""Canned responses (text an agent inserts with "/") and macros (a named set of actions
run on a conversation at once). Each is personal (an owner), shared with one team, or
shared with everyone (neither)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Shared(models.Model):
    name = models.CharField(max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="+", help_text="Set: only this agent uses it (personal).",
    )
    team = models.ForeignKey(
        "agents.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text="Set: the agents of this team use it. Neither owner nor team: everyone.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def scope(self) -> str:
        if self.owner_id is not None:
            return "personal"
        return "team" if self.team_id is not None else "everyone"


class CannedResponse(Shared):
    # What follows "/" in the composer; unique per scope is not enforced: the picker lists all.
    shortcut = models.SlugField(max_length=50)
    body = models.TextField(
        help_text="Variables: {{ customer.name }}, {{ customer.first_name }}, "
                  "{{ agent.name }}, {{ agent.first_name }}, {{ conversation.id }}.",
    )

    class Meta(Shared.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=True) | Q(team__isnull=True),
                name="canned_personal_or_team",
            )
        ]


class Macro(Shared):
    """`actions`: a list of steps, run in order in one transaction (macros.actions):
    {"type": "reply", "text": …, "channel"?: …} · {"type": "note", "text": …} ·
    {"type": "add_tags" | "remove_tags", "tags": [...]} · {"type": "status", "status": …,
    "snooze_hours"?: N} · {"type": "assign", "user_id": N | null} · {"type": "team",
    "team_id": N | null} · {"type": "priority", "priority": 0-3}."""

    description = models.CharField(max_length=200, blank=True)
    actions = models.JSONField(default=list)

    class Meta(Shared.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=True) | Q(team__isnull=True),
                name="macro_personal_or_team",
            )
        ]
