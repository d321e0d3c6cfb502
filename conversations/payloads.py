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
# What conversation_payload shows, as `values()` paths: a list builds its payloads from
# these (`conversation_payload_from_values`) without model instances. Not the participants
# or the reply token; only the names of the customer, team and assignee (not the
# customer's attributes and notes, nor the user's password hash); the SLA clock's payload
# fields.
_COLUMNS = tuple(f.attname for f in Conversation._meta.concrete_fields
                 if f.name not in ("participants", "reply_token"))
_ASSIGNEE_FIELDS = ("username", "first_name", "last_name")
_SLA_FIELDS = ("target", "channel", "due_at", "warn_at", "state", "breached_at", "started_at",
               "resolution_due_at", "resolution_warn_at", "resolution_breached_at")
CONVERSATION_VALUES = (
    *_COLUMNS,
    "customer__name",
    "team__name",
    *(f"assignee__{name}" for name in _ASSIGNEE_FIELDS),
    *(f"sla_clock__{name}" for name in _SLA_FIELDS),
)
# The relations interaction_payload reads.
INTERACTION_SELECT = ("author_agent", "author_identity")
INTERACTION_PREFETCH = ("attachments",)


def iso(value: datetime | str | None) -> str | None:
    """ISO 8601; a string is one already (`omnidesk.db_adapters.timestamps_as_iso_text`)."""
    if not value:
        return None
    return value if isinstance(value, str) else value.isoformat()


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
    return conversation_payload_from_values(conversation_values(conversation))


def conversation_values(conversation: Conversation) -> dict[str, Any]:
    """The conversation as `CONVERSATION_VALUES` would read it from the database."""
    row = {name: getattr(conversation, name) for name in _COLUMNS}
    row["customer__name"] = conversation.customer.name
    team = conversation.team
    row["team__name"] = team.name if team is not None else None
    user = conversation.assignee
    for name in _ASSIGNEE_FIELDS:
        row[f"assignee__{name}"] = getattr(user, name) if user is not None else None
    row.update(_clock_values(conversation))
    return row


def _clock_values(conversation: Conversation) -> dict[str, Any]:
    try:
        clock = conversation.sla_clock  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        clock = None
    return {f"sla_clock__{name}": getattr(clock, name) if clock is not None else None
            for name in _SLA_FIELDS}


def sla_payload(conversation: Conversation) -> dict[str, Any] | None:
    """The payload's `sla` of a conversation instance."""
    return _sla(_clock_values(conversation))


def conversation_payload_from_values(row: dict[str, Any]) -> dict[str, Any]:
    """The payload of a conversation read as `CONVERSATION_VALUES`."""
    return {
        "id": row["id"],
        "customer": {"id": row["customer_id"], "name": row["customer__name"]},
        "status": row["status"],
        "snoozed_until": iso(row["snoozed_until"]),
        "team": (None if row["team_id"] is None
                 else {"id": row["team_id"], "name": row["team__name"]}),
        "assignee": _assignee(row),
        "priority": row["priority"],
        "tags": list(row["tags"]),
        "subject": row["subject"],
        "channels": list(row["channels"]),
        "last_inbound_channel": row["last_inbound_channel"],
        "last_inbound_inbox_id": row["last_inbound_inbox_id"],
        "awaiting_channel": row["awaiting_channel"],
        "awaiting_since": iso(row["awaiting_since"]),
        "first_inbound_at": iso(row["first_inbound_at"]),
        "last_inbound_at": iso(row["last_inbound_at"]),
        "first_response_at": iso(row["first_response_at"]),
        "last_response_at": iso(row["last_response_at"]),
        "first_response_due_at": iso(row["first_response_due_at"]),
        "next_response_due_at": iso(row["next_response_due_at"]),
        "sla": _sla(row),
        "resolved_at": iso(row["resolved_at"]),
        "last_activity_at": iso(row["last_activity_at"]),
        "last_message_preview": row["last_message_preview"],
        "last_message_at": iso(row["last_message_at"]),
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
    }


def _assignee(row: dict[str, Any]) -> dict[str, Any] | None:
    """user_ref's shape: `id` is the user id, the one to send as `assignee`."""
    if row["assignee_id"] is None:
        return None
    username = row["assignee__username"]
    # User.get_full_name(), else the username (display_name).
    full_name = f"{row['assignee__first_name']} {row['assignee__last_name']}".strip()
    return {"id": row["assignee_id"], "username": username, "name": full_name or username}


def _sla(row: dict[str, Any]) -> dict[str, Any] | None:
    """The running SLA target (routing's ConversationSLA.payload): {target, channel, due_at,
    warn_at, state (running | at_risk | breached | paused | met), breached_at, ...}; None
    before any ran."""
    if not row["sla_clock__target"]:
        return None
    values = (row[f"sla_clock__{name}"] for name in _SLA_FIELDS)
    return {name: iso(value) if isinstance(value, datetime) else value
            for name, value in zip(_SLA_FIELDS, values, strict=True)}


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
