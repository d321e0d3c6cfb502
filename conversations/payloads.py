"""The full current state of a conversation or interaction, as events and clients see it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from conversations.models import Attachment, Conversation, Interaction


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def conversation_payload(conversation: Conversation) -> dict[str, Any]:
    customer = conversation.customer
    return {
        "id": conversation.pk,
        "customer": {"id": customer.pk, "name": customer.name},
        "status": conversation.status,
        "team_id": conversation.team_id,
        "assignee_id": conversation.assignee_id,
        "priority": conversation.priority,
        "tags": list(conversation.tags),
        "subject": conversation.subject,
        "channels": list(conversation.channels),
        "last_inbound_channel": conversation.last_inbound_channel,
        "snoozed_until": _iso(conversation.snoozed_until),
        "first_inbound_at": _iso(conversation.first_inbound_at),
        "last_inbound_at": _iso(conversation.last_inbound_at),
        "first_response_at": _iso(conversation.first_response_at),
        "last_response_at": _iso(conversation.last_response_at),
        "awaiting_since": _iso(conversation.awaiting_since),
        "first_response_due_at": _iso(conversation.first_response_due_at),
        "next_response_due_at": _iso(conversation.next_response_due_at),
        "resolved_at": _iso(conversation.resolved_at),
        "last_activity_at": _iso(conversation.last_activity_at),
        "created_at": _iso(conversation.created_at),
        "updated_at": _iso(conversation.updated_at),
    }


def attachment_payload(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "content_id": attachment.content_id,
        "url": attachment.file.url if attachment.file else None,
        "note": attachment.note,
    }


def interaction_payload(
    interaction: Interaction, attachments: list[Attachment] | None = None
) -> dict[str, Any]:
    if attachments is None:
        attachments = list(interaction.attachments.all()) if interaction.pk else []
    return {
        "id": interaction.pk,
        "conversation_id": interaction.conversation_id,
        "customer_id": interaction.customer_id,
        "inbox_id": interaction.inbox_id,
        "channel": interaction.channel,
        "direction": interaction.direction,
        "kind": interaction.kind,
        "event_type": interaction.event_type,
        "author_agent_id": interaction.author_agent_id,
        "author_identity_id": interaction.author_identity_id,
        "text": interaction.text,
        "html": interaction.html,
        "subject": interaction.subject,
        "provider_id": interaction.provider_id,
        "status": interaction.status,
        "error": interaction.error,
        "meta": interaction.meta,
        "occurred_at": _iso(interaction.occurred_at),
        "created_at": _iso(interaction.created_at),
        "updated_at": _iso(interaction.updated_at),
        "attachments": [attachment_payload(a) for a in attachments],
    }
