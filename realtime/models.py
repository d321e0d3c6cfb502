from __future__ import annotations

from django.db import models


class RealtimeEvent(models.Model):
    """An outbox row per event, written in the transaction of the change it reports.

    Its id is what a reconnecting client names to get what it missed ("resume since");
    its audience is one `RealtimeEventGroup` row per socket group it was sent to.
    """

    name = models.CharField(max_length=40)
    payload = models.JSONField()
    # Read by the prune only: a BRIN index on PostgreSQL (migration 0003), the column
    # growing with the rows.
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class RealtimeEventGroup(models.Model):
    """One socket group an event was addressed to. The key (group, event) is the index
    a resuming socket reads: the events of its groups after an id, in id order."""

    pk = models.CompositePrimaryKey("group", "event_id")
    group = models.CharField(max_length=100)
    # Pruning deletes by a range of events: a BRIN index on PostgreSQL (migration 0003),
    # rows being written in event order. DO_NOTHING: pruning deletes these rows itself
    # first, so that deleting events is one statement (a cascade would load every pruned
    # event, payload and all, into memory).
    event = models.ForeignKey(
        RealtimeEvent, on_delete=models.DO_NOTHING, related_name="groups", db_index=False
    )

    def __str__(self) -> str:
        return f"{self.group} #{self.event_id}"
