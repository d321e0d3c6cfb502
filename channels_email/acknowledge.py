"""The optional automatic acknowledgement of a new email conversation.

Sent once, for a new conversation started by a real customer message: never for
auto-replies, bounces, loop-limited or unknown senders (receive.py decides whether to
schedule it), never to our own addresses or to no-reply mailboxes, never to mailing
lists, and at most once per address per OMNIDESK_EMAIL_ACK_INTERVAL (RFC 3834).

receive.py decides from the message (wants_acknowledgement) and schedules
acknowledge_task with the inbound interaction's id; `acknowledge` does the rest and is
idempotent: the conversation row lock and the `acknowledges` mark on the reply make a
second run of the same task send nothing.
"""

from __future__ import annotations

import hashlib
import re

from django.core.cache import cache
from django.db import transaction

from channels_email import conf
from channels_email.parse import ParsedEmail
from channels_email.recipients import email_inboxes, our_addresses
from channels_email.threading import is_reply_address, reply_subject
from conversations.actions.automatic import do_send_automatic_reply
from conversations.models import Conversation, Direction, Inbox, Interaction

_NO_REPLY = re.compile(
    r"^(no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?|notifications?)([+.-].*)?@",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Meta flags receive.py sets on what is no message from a customer to answer.
NOT_A_CUSTOMER_MESSAGE = ("sender_unknown", "auto_reply", "bounce", "loop_limited")


def template_of(inbox: Inbox) -> dict[str, str]:
    template = (inbox.config or {}).get("acknowledgement") or {}
    return {"subject": str(template.get("subject") or ""), "body": str(template.get("body") or "")}


def wants_acknowledgement(inbox: Inbox, sender: str, parsed: ParsedEmail) -> bool:
    """Whether this message, if it starts a conversation, is to be acknowledged."""
    if not template_of(inbox)["body"].strip() or not may_acknowledge(sender):
        return False
    return not (parsed.has_header("List-Id") or parsed.has_header("List-Unsubscribe"))


def may_acknowledge(sender: str) -> bool:
    if _NO_REPLY.match(sender) or is_reply_address(sender):
        return False
    return sender not in our_addresses(email_inboxes())


def acknowledge(inbound_id: int) -> Interaction | None:
    """Queue the acknowledgement of the inbound email `inbound_id`, unless it was
    already, the inbox no longer has a template, or the address got one within
    OMNIDESK_EMAIL_ACK_INTERVAL."""
    inbound = (
        Interaction.objects.select_related("inbox", "author_identity", "customer")
        .filter(pk=inbound_id, direction=Direction.INBOUND, channel="email")
        .first()
    )
    if inbound is None or inbound.inbox is None or inbound.author_identity is None:
        return None
    if any(inbound.meta.get(flag) for flag in NOT_A_CUSTOMER_MESSAGE):
        return None
    inbox, sender = inbound.inbox, inbound.author_identity.value
    template = template_of(inbox)
    if not template["body"].strip() or not may_acknowledge(sender):
        return None
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update(no_key=True).get(
            pk=inbound.conversation_id
        )
        if Interaction.objects.filter(
            conversation=conversation, meta__acknowledges=inbound.pk
        ).exists():
            return None  # this task ran before
        key = _ack_key(sender)
        if not cache.add(key, 1, timeout=conf.ack_interval()):
            return None
        try:
            return _send(inbound, conversation, inbox, sender, template)
        except Exception:
            cache.delete(key)  # nothing was sent: a retry may acknowledge
            raise


def _send(
    inbound: Interaction,
    conversation: Conversation,
    inbox: Inbox,
    sender: str,
    template: dict[str, str],
) -> Interaction:
    values = {
        "customer_name": inbound.customer.name or sender,
        "subject": inbound.subject or conversation.subject,
        "conversation_id": str(conversation.pk),
        "inbox_name": inbox.name,
    }
    subject = (
        render(template["subject"], values)
        if template["subject"]
        else reply_subject(values["subject"])
    )
    return do_send_automatic_reply(
        conversation=conversation,
        inbox=inbox,
        channel="email",
        recipient=sender,
        text=render(template["body"], values),
        subject=subject,
        meta={"acknowledgement": True, "acknowledges": inbound.pk},
    )


def render(template: str, values: dict[str, str]) -> str:
    """Fill {placeholders}; unknown ones stay as written (no format() attribute access)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def _ack_key(sender: str) -> str:
    return f"channels_email:ack:{hashlib.sha256(sender.encode()).hexdigest()[:32]}"
