from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from conversations.models.choices import Direction, InteractionKind, Status


class Interaction(models.Model):
    """One entry on a conversation's timeline: a message, a call, a note or an event."""

    # Indexed by ix_timeline (conversation first), not on its own.
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.CASCADE,
        related_name="interactions",
        db_index=False,
    )
    # Denormalized from the conversation so the customer timeline is one index scan
    # (ix_customer_timeline, customer first).
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="interactions",
        db_index=False,
    )
    inbox = models.ForeignKey(
        "conversations.Inbox", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A registered channel (conversations.channels) or `internal` (notes, events).
    channel = models.CharField(max_length=16)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    kind = models.CharField(max_length=10, choices=InteractionKind.choices)
    # For kind=event: what happened (the event types of conversations.actions.timeline),
    # details in `meta`.
    event_type = models.CharField(max_length=40, blank=True)
    # Indexed where set only (ix_author_agent): an inbound message has no agent.
    author_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    author_identity = models.ForeignKey(
        "customers.Identity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)  # always sanitized before it is stored
    subject = models.CharField(max_length=500, blank=True)
    # NULL, not "", when absent: the unique (inbox, provider_id) constraint must ignore it.
    provider_id = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(blank=True)
    send_attempts = models.PositiveSmallIntegerField(default=0)
    meta = models.JSONField(default=dict, blank=True)
    raw = models.JSONField(null=True, blank=True)
    raw_file = models.FileField(upload_to="raw/%Y/%m/%d/", blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            # Providers deliver at least once: this constraint, not a look-up, decides
            # that a retried event is the one already recorded.
            models.UniqueConstraint(
                fields=["inbox", "provider_id"],
                name="interaction_unique_provider_id",
                condition=Q(provider_id__isnull=False),
            )
        ]
        indexes = [
            models.Index(fields=["conversation", "occurred_at", "id"], name="ix_timeline"),
            models.Index(fields=["customer", "occurred_at", "id"], name="ix_customer_timeline"),
            models.Index(fields=["provider_id"], name="ix_provider_id"),
            models.Index(fields=["channel", "direction", "kind"], name="ix_channel_kind"),
            # A deleted agent's interactions (SET_NULL).
            models.Index(
                fields=["author_agent"],
                name="ix_author_agent",
                condition=Q(author_agent__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.direction} {self.channel} #{self.pk}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    digest = hashlib.sha256(f"{instance.interaction_id}:{filename}".encode()).hexdigest()[:16]
    return f"attachments/{digest}/{filename[-120:]}"


class Attachment(models.Model):
    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=_attachment_path, blank=True, max_length=255)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255, default="application/octet-stream")
    size = models.BigIntegerField(default=0)
    # The Content-ID of an inline image, without angle brackets, for cid: references.
    content_id = models.CharField(max_length=255, blank=True)
    # Why the bytes were not kept (over the size limit, fetch failed), if they were not.
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
