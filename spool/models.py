"""The inbound spool: provider requests accepted (verified, validated) but not yet
recorded. A row leaves in the transaction that records its event, so an accepted
event is recorded exactly once however the drain is interrupted."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SpooledEvent(models.Model):
    # The name a channel registered its recorder under (spool.handlers).
    handler = models.CharField(max_length=100)
    # Events of one sender share a lane; one drain at a time records a lane, in id order,
    # so a customer's messages are recorded in the order they were accepted.
    lane = models.PositiveSmallIntegerField()
    # The sender as the pipeline names it (an identity's kind and value): the drain locks
    # the senders of a batch in one statement. Blank: not known before recording.
    sender_kind = models.CharField(max_length=20, blank=True, default="")
    sender_value = models.TextField(blank=True, default="")
    # The provider's id of the event: a retry while the first copy is still spooled is
    # not spooled twice (once recorded, the pipeline's own check skips it).
    # Null, not "", for none: nulls never conflict in the unique constraint.
    dedupe_key = models.CharField(max_length=300, null=True, blank=True)  # noqa: DJ001
    payload = models.JSONField(default=dict)
    accepted_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    # After a failed attempt: not before then (null: at once).
    retry_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["lane", "id"], name="spool_lane")]
        constraints = [
            models.UniqueConstraint(fields=["handler", "dedupe_key"], name="spool_dedupe"),
        ]

    def __str__(self) -> str:
        return f"{self.handler} #{self.pk} (lane {self.lane})"
