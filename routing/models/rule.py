from __future__ import annotations

from django.conf import settings
from django.db import models


class RoutingRule(models.Model):
    """Ordered (position, then id); the first active rule whose conditions all hold
    wins. A rule with an inbox applies to that inbox's conversations only; a rule with
    no conditions is that inbox's (or everyone's) default.

    `conditions` (each optional, all must hold):
      channels: [kind], inbox_ids: [id], customer_tags: [tag] (any),
      customer_attributes: {name: value} (all), languages: [code], keywords: [word]
      (any, in subject or text, case-insensitive), priorities: [0-3],
      business_hours: {"id": BusinessHours id, "inside": true | false}
    """

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveIntegerField(default=100)
    active = models.BooleanField(default=True)
    inbox = models.ForeignKey(
        "conversations.Inbox", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    conditions = models.JSONField(default=dict, blank=True)
    run_on_channel_switch = models.BooleanField(default=False)
    # Actions (each optional).
    set_team = models.ForeignKey(
        "agents.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_priority = models.SmallIntegerField(null=True, blank=True)
    add_tags = models.JSONField(default=list, blank=True)
    set_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name
