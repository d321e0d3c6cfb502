"""What a visitor's browser is told about a message: never the agents' view of it (no
meta, no provider ids, no agent emails)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from conversations.links import public_attachment_url
from conversations.models import Attachment, Direction, Interaction
from conversations.payloads import iso


def visitor_message_payload(
    interaction: Interaction, attachments: Sequence[Attachment] | None = None
) -> dict[str, Any]:
    if attachments is None:
        attachments = list(interaction.attachments.all())
    author = ""
    if interaction.direction == Direction.OUTBOUND and interaction.author_agent is not None:
        agent = interaction.author_agent
        author = agent.first_name or agent.get_full_name() or "Support"
    return {
        "id": interaction.pk,
        "conversation_id": interaction.conversation_id,
        "direction": interaction.direction,
        "kind": interaction.kind,
        "text": interaction.text,
        "author_name": author,
        "status": interaction.status,
        "client_id": str((interaction.meta or {}).get("client_id") or ""),
        "occurred_at": iso(interaction.occurred_at),
        "attachments": [
            {"name": a.name, "size": a.size, "content_type": a.content_type,
             "url": public_attachment_url(a) if a.file else None}
            for a in attachments
        ],
    }
