from __future__ import annotations

from django.db import models


class RealtimeEvent(models.Model):
    """An outbox row per event, written in the transaction of the change it reports.

    Its id is what a reconnecting client names to get what it missed ("resume since").
    """

    name = models.CharField(max_length=40)
    payload = models.JSONField()
    # Who may receive it: leads and admins always; agents of these teams; these agents.
    team_ids = models.JSONField(default=list)
    user_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"
