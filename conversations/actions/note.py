from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from conversations.channels import INTERNAL
from conversations.models import Conversation, Direction, Interaction, InteractionKind
from conversations.notify import conversation_event, interaction_event, notify
from conversations.preview import apply_preview, preview_text
from conversations.sanitize import sanitize_html


def do_add_note(
    *,
    conversation: Conversation,
    author: User,
    text: str,
    html: str = "",
    at: datetime | None = None,
) -> Interaction:
    """An internal note: agents only, never sent to the customer. `at`: when it was
    written, for imported history (default now)."""
    if not text.strip():
        raise ValueError("A note needs some text.")
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update(no_key=True).get(pk=conversation.pk)
        now = at or timezone.now()
        note = Interaction.objects.create(
            conversation=conversation,
            customer_id=conversation.customer_id,
            channel=INTERNAL,
            direction=Direction.INTERNAL,
            kind=InteractionKind.NOTE,
            author_agent=author,
            text=text,
            html=sanitize_html(html),
            occurred_at=now,
        )
        conversation.last_activity_at = max(conversation.last_activity_at, now)
        apply_preview(conversation, preview_text(
            kind=InteractionKind.NOTE, direction=Direction.INTERNAL, text=text, html=html,
        ), now)
        conversation.save(update_fields=[
            "last_activity_at", "last_message_preview", "last_message_at", "updated_at"])
        notify(interaction_event(note), conversation_event(conversation))
    return note
