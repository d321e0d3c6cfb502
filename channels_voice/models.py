"""Twilio callbacks that arrived before the call they describe was recorded."""

from __future__ import annotations

from django.db import models


class PendingCallEvent(models.Model):
    """A voice callback (a recording, an agent leg) for a CallSid that has no call
    interaction yet. A recording callback carries no From/To, so it cannot start the
    interaction itself; it waits here and is applied, then deleted, when the call is
    recorded (see channels_voice.actions)."""

    inbox = models.ForeignKey("conversations.Inbox", on_delete=models.CASCADE, related_name="+")
    call_sid = models.CharField(max_length=64)
    kind = models.CharField(max_length=20)
    params = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["inbox", "call_sid"], name="pending_call_sid")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.call_sid}"
