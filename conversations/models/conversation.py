from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from conversations.models.choices import ConversationStatus, Priority


def _reply_token() -> str:
    return secrets.token_hex(10)


class Conversation(models.Model):
    """One ongoing matter with one customer, across every channel they used."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="conversations"
    )
    status = models.CharField(
        max_length=10, choices=ConversationStatus.choices, default=ConversationStatus.OPEN
    )
    team = models.ForeignKey(
        "agents.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
    )
    priority = models.SmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    tags = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    channels = models.JSONField(default=list, blank=True)
    last_inbound_channel = models.CharField(max_length=16, blank=True)
    last_inbound_inbox = models.ForeignKey(
        "conversations.Inbox", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Addresses (normalized identity values) other than the customer that take part,
    # such as people in Cc: a thread reply from one of them may join this conversation.
    participants = models.JSONField(default=list, blank=True)
    # Unguessable token for per-conversation reply addresses and links.
    reply_token = models.CharField(max_length=32, unique=True, default=_reply_token)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    first_inbound_at = models.DateTimeField(null=True, blank=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    last_response_at = models.DateTimeField(null=True, blank=True)
    # The oldest inbound not yet answered; its channel decides which SLA clock runs.
    awaiting_since = models.DateTimeField(null=True, blank=True)
    awaiting_channel = models.CharField(max_length=16, blank=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-last_activity_at", "-id"]
        indexes = [
            models.Index(
                fields=["status", "-last_activity_at", "-id"], name="conv_status_activity"
            ),
            models.Index(fields=["team", "status", "-last_activity_at"], name="conv_team_status"),
            models.Index(fields=["assignee", "status", "-last_activity_at"], name="conv_assignee"),
            models.Index(
                fields=["customer", "-last_activity_at"],
                name="conv_customer_open",
                condition=~Q(status="resolved"),
            ),
            models.Index(fields=["customer", "-last_activity_at"], name="conv_customer_activity"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject or ''}".strip()
