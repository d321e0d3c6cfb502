"""Replies on the chat channel: straight to the visitor's sockets (and their catch-up)."""

from __future__ import annotations

from typing import Any

from channels_chat.availability import visitor_online
from conversations.models import Conversation, Inbox, Interaction
from conversations.transports import ProviderResult, TransportError
from customers.models import Identity, IdentityKind


class ChatTransport:
    """A reply to a visitor who has left, and left an email address, is refused here
    with the reason, so the composer offers email instead (the reply options read this
    check); the customer's email answer then threads into the same conversation."""

    def check_reply(
        self, *, conversation: Conversation, inbox: Inbox, recipient: str, meta: dict[str, Any]
    ) -> None:
        email = (
            Identity.objects.filter(customer_id=conversation.customer_id, kind=IdentityKind.EMAIL)
            .order_by("-verified", "id")
            .values_list("value", flat=True)
            .first()
        )
        # Without an address there is nowhere else to write: chat it is, seen on return.
        if email and not visitor_online(conversation.customer_id):
            raise TransportError(
                f"The visitor has left the chat; reply by email to {email}.", permanent=True
            )

    def send(self, interaction: Interaction) -> ProviderResult:
        from channels_chat.actions import do_deliver_to_visitor

        return do_deliver_to_visitor(interaction.pk)
