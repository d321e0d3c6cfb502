"""Automatic replies (an email inbox's acknowledgement of a new conversation).

Unlike an agent's reply, an automatic one is not a response: it leaves the first
response time, the awaiting clock and the SLA untouched, and runs no reply hooks.
It is queued and sent by the worker like any outbound message.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from conversations.actions.reply import (
    ReplyError,
    _recipient,
    _reply_inbox,
    new_outbound,
)
from conversations.models import Conversation, Inbox, Interaction, Status
from conversations.notify import notify_interaction
from conversations.transports import TransportError, check_reply, has_transport
from jobs.outbox import enqueue_job


def do_send_automatic_reply(
    *,
    conversation: Conversation,
    inbox: Inbox,
    channel: str,
    recipient: str,
    text: str,
    html: str = "",
    subject: str = "",
    meta: dict[str, Any] | None = None,
) -> Interaction:
    """Queue an automatic message to `recipient` (a normalized identity value)."""
    from conversations.tasks import send_interaction_task

    with transaction.atomic():
        conversation = Conversation.objects.select_for_update(no_key=True).get(pk=conversation.pk)
        reply = new_outbound(
            conversation,
            inbox=inbox,
            channel=channel,
            recipient=recipient,
            text=text,
            html=html,
            subject=subject,
            status=Status.QUEUED,
            meta={**(meta or {}), "automatic": True},
            at=timezone.now(),
        )
        notify_interaction(reply)
        enqueue_job(send_interaction_task, reply.pk)
    return reply


def do_send_automatic_message(
    *,
    conversation: Conversation,
    channel: str,
    text: str,
    html: str = "",
    subject: str = "",
    meta: dict[str, Any] | None = None,
) -> Interaction:
    """Queue an automatic message on `channel` to the customer, through the inbox and
    identity an agent's reply there would use, after the channel's pre-send check (a
    WhatsApp window, an opt-out). ReplyError when it cannot go out on that channel."""
    if not has_transport(channel):
        raise ReplyError(f"Messages on the {channel} channel are not available.")
    with transaction.atomic():
        locked = Conversation.objects.select_for_update(no_key=True).get(pk=conversation.pk)
        inbox = _reply_inbox(locked, channel)
        recipient = _recipient(locked, channel, inbox)
        try:
            check_reply(channel, conversation=locked, inbox=inbox,
                        recipient=recipient.value, meta=dict(meta or {}))
        except TransportError as exc:
            raise ReplyError(exc.message) from exc
        return do_send_automatic_reply(
            conversation=locked, inbox=inbox, channel=channel, recipient=recipient.value,
            text=text, html=html, subject=subject,
            meta={**(meta or {}), "to_identity_id": recipient.pk},
        )
