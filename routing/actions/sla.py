from __future__ import annotations

from django.db import transaction

from conversations.models import Conversation
from conversations.notify import notify_conversation
from routing.sla import response_target


def do_start_response_clock(conversation_id: int) -> Conversation | None:
    """Set the due time of the response the customer is waiting for. The clock is the
    one of the channel of the oldest unanswered inbound."""
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update(no_key=True)
            .select_related("customer")
            .filter(pk=conversation_id)
            .first()
        )
        if conversation is None or conversation.awaiting_since is None:
            return conversation
        due = conversation.awaiting_since + response_target(conversation.awaiting_channel)
        field = (
            "first_response_due_at"
            if conversation.first_response_at is None
            else "next_response_due_at"
        )
        if getattr(conversation, field) == due:
            return conversation
        setattr(conversation, field, due)
        conversation.save(update_fields=[field, "updated_at"])
        notify_conversation(conversation)
    return conversation
