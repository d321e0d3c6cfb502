"""The public shape of a conversation, an interaction and an attachment.

The REST API answers with these dicts and the agent socket sends them, so a client can
upsert an object from either. A reference to another object is `<name>_id` (an id) or
`<name>` (an object with at least an `id`). Each payload carries the object's full
current state. What a payload reads is named beside it (`*_SELECT`, `*_PREFETCH`):
a query that feeds it selects those, or pays a query per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse

from conversations.models import Attachment, Conversation, Interaction
from conversations.sanitize import display_html

if TYPE_CHECKING:
    from agents.models import Team

# The relations conversation_payload reads (`sla_clock`: routing's ConversationSLA).
CONVERSATION_SELECT = ("customer", "team", "assignee", "sla_clock")
# The columns conversation_payload reads, for a query that feeds only payloads (the
# list): not the participants or the reply token, only the names of the customer, team
# and assignee (not the customer's attributes and notes, nor the user's password hash),
# and the SLA clock's payload fields. A list page of 50 reads 90 columns less per row.
CONVERSATION_ONLY = (
    *(f.attname for f in Conversation._meta.concrete_fields
      if f.name not in ("participants", "reply_token")),
    "customer__name", "team__name",
    "assignee__username", "assignee__first_name", "assignee__last_name",
    *(f"sla_clock__{name}" for name in (
        "target", "channel", "due_at", "warn_at", "state", "breached_at", "started_at",
        "resolution_due_at", "resolution_warn_at", "resolution_breached_at",
    )),
)
# The relations interaction_payload reads.
INTERACTION_SELECT = ("author_agent", "author_identity")
INTERACTION_PREFETCH = ("attachments",)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def display_name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def team_ref(team: Team | None) -> dict[str, Any] | None:
    return None if team is None else {"id": team.pk, "name": team.name}


def user_ref(user: Any) -> dict[str, Any] | None:
    """An agent as an assignee: `id` is the user id, the one to send as `assignee`."""
    if user is None:
        return None
    return {"id": user.pk, "username": user.get_username(), "name": display_name(user)}


def conversation_payload(conversation: Conversation) -> dict[str, Any]:
    customer = conversation.customer
    return {
        "id": conversation.pk,
        "customer": {"id": customer.pk, "name": customer.name},
        "status": conversation.status,
        "snoozed_until": iso(conversation.snoozed_until),
        "team": team_ref(conversation.team),
        "assignee": user_ref(conversation.assignee),
        "priority": conversation.priority,
        "tags": list(conversation.tags),
        "subject": conversation.subject,
        "channels": list(conversation.channels),
        "last_inbound_channel": conversation.last_inbound_channel,
        "last_inbound_inbox_id": conversation.last_inbound_inbox_id,
        "awaiting_channel": conversation.awaiting_channel,
        "awaiting_since": iso(conversation.awaiting_since),
        "first_inbound_at": iso(conversation.first_inbound_at),
        "last_inbound_at": iso(conversation.last_inbound_at),
        "first_response_at": iso(conversation.first_response_at),
        "last_response_at": iso(conversation.last_response_at),
        "first_response_due_at": iso(conversation.first_response_due_at),
        "next_response_due_at": iso(conversation.next_response_due_at),
        "sla": sla_payload(conversation),
        "resolved_at": iso(conversation.resolved_at),
        "last_activity_at": iso(conversation.last_activity_at),
        "last_message_preview": conversation.last_message_preview,
        "last_message_at": iso(conversation.last_message_at),
        "created_at": iso(conversation.created_at),
        "updated_at": iso(conversation.updated_at),
    }


def sla_payload(conversation: Conversation) -> dict[str, Any] | None:
    """The running SLA target: {target, channel, due_at, warn_at, state (running |
    at_risk | breached | paused | met), breached_at, ...}; None before any ran."""
    try:
        clock = conversation.sla_clock  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return None
    return clock.payload() if clock is not None else None


def attachment_url(attachment: Attachment) -> str | None:
    """The download view, behind the conversation's permission check (a path on this
    server); None when the bytes were not kept."""
    if not attachment.file:
        return None
    return reverse("attachment-download", args=[attachment.pk])


def attachment_payload(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "content_id": attachment.content_id,
        "url": attachment_url(attachment),
        "note": attachment.note,
    }


def author_payload(interaction: Interaction) -> dict[str, Any]:
    if interaction.author_agent_id is not None:
        return {"type": "agent", "agent_id": interaction.author_agent_id, "identity_id": None,
                "name": display_name(interaction.author_agent)}
    identity = interaction.author_identity if interaction.author_identity_id else None
    if identity is not None:
        return {"type": "customer", "agent_id": None, "identity_id": identity.pk,
                "name": identity.value}
    return {"type": "system", "agent_id": None, "identity_id": None, "name": ""}


def interaction_payload(
    interaction: Interaction,
    attachments: Sequence[Attachment] | None = None,
    *,
    show_remote_images: bool = False,
) -> dict[str, Any]:
    """`attachments`: the interaction's, when the caller has them at hand (else they are
    read, from the prefetch cache if any). `html` is for display: inline images point at
    their attachments, remote images (tracking pixels) are blocked unless asked for."""
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
        "author": author_payload(interaction),
        "text": interaction.text,
        "html": display_html(
            interaction.html,
            {a.content_id: url for a in attachments if a.content_id and (url := attachment_url(a))},
            show_remote_images=show_remote_images,
        ),
        "subject": interaction.subject,
        "status": interaction.status,
        "error": interaction.error,
        "provider_id": interaction.provider_id,
        "meta": interaction.meta,
        "occurred_at": iso(interaction.occurred_at),
        "created_at": iso(interaction.created_at),
        "updated_at": iso(interaction.updated_at),
        "attachments": [attachment_payload(a) for a in attachments],
    }
