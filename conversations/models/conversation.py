from __future__ import annotations

import secrets
from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce

from conversations.models.choices import ConversationStatus, Priority

# Empty sort keys sort last as this moment: every key is then comparable, so one index
# seek finds the next page of a keyset list (conversations.keyset).
SORTS_LAST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)

# The due time of the response the customer waits for now: the first response's until
# there is one, then the next one's (empty once answered).
RESPONSE_DUE_SORT_KEY = Coalesce(
    Case(
        When(first_response_at__isnull=True, then=F("first_response_due_at")),
        default=F("next_response_due_at"),
    ),
    Value(SORTS_LAST),
    output_field=models.DateTimeField(),
)
# Since when the customer waits for an answer.
WAITING_SORT_KEY = Coalesce(
    F("awaiting_since"), Value(SORTS_LAST), output_field=models.DateTimeField()
)


def _reply_token() -> str:
    return secrets.token_hex(10)


class Conversation(models.Model):
    """One ongoing matter with one customer, across every channel they used."""

    # Indexed by conv_customer_activity (customer first), not on its own.
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="conversations",
        db_index=False,
    )
    status = models.CharField(
        max_length=10, choices=ConversationStatus.choices, default=ConversationStatus.OPEN
    )
    # Indexed by conv_team_status (team first), not on its own.
    team = models.ForeignKey(
        "agents.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
        db_index=False,  # indexed by conv_assignee (assignee first)
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
    # Unguessable token for per-conversation reply addresses and links. Looked up by
    # equality only: PostgreSQL has no `_like` index on it (migration 0007).
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
    last_activity_at = models.DateTimeField()  # indexed by conv_activity
    # The last message, call or note on one line, and when it happened: the list's
    # preview and unread mark read these instead of the interactions (conversations.preview).
    last_message_preview = models.CharField(max_length=240, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-last_activity_at", "-id"]
        # The list's sorts and filters (conversations.queries). On PostgreSQL, GIN
        # indexes on `channels` and `tags` (migration 0002) serve the jsonb `@>` of the
        # used-channel and tag filters; SQLite has neither.
        indexes = [
            models.Index(fields=["-last_activity_at", "-id"], name="conv_activity"),
            models.Index(
                fields=["status", "-last_activity_at", "-id"], name="conv_status_activity"
            ),
            models.Index(RESPONSE_DUE_SORT_KEY, F("id"), name="conv_response_due"),
            models.Index(WAITING_SORT_KEY, F("id"), name="conv_waiting_since"),
            models.Index(
                F("awaiting_channel"), WAITING_SORT_KEY, F("id"), name="conv_waiting_channel"
            ),
            models.Index(fields=["team", "status", "-last_activity_at"], name="conv_team_status"),
            models.Index(fields=["assignee", "status", "-last_activity_at"], name="conv_assignee"),
            # A customer's conversations, newest first; also their open ones (a customer
            # has few), which the pipeline reads for every known sender's message.
            models.Index(fields=["customer", "-last_activity_at"], name="conv_customer_activity"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject or ''}".strip()


class ConversationRead(models.Model):
    """Up to when an agent has read a conversation: the list's unread mark and the
    conversation page's "new since you last looked" line (conversations.reads)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="reads", db_index=False
    )
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            # (user, conversation) first: the list's per-row look-up is one index probe.
            models.UniqueConstraint(fields=["user", "conversation"], name="conv_read_unique"),
        ]
        indexes = [models.Index(fields=["conversation"], name="conv_read_conversation")]

    def __str__(self) -> str:
        return f"{self.user_id} read #{self.conversation_id} at {self.read_at:%Y-%m-%d %H:%M}"
