"""The optional automatic acknowledgement of a new email conversation.

Sent once, for a new conversation started by a real customer message: never for
auto-replies, bounces or loop-limited senders (the caller checks), never to our own
addresses or to no-reply mailboxes, never to mailing lists, and at most once per
address per OMNIDESK_EMAIL_ACK_INTERVAL (RFC 3834).
"""

from __future__ import annotations

import hashlib
import re

from django.core.cache import cache

from channels_email import conf
from channels_email.parse import ParsedEmail
from channels_email.recipients import email_inboxes, our_addresses
from channels_email.threading import is_reply_address, reply_subject
from conversations.actions.automatic import do_send_automatic_reply
from conversations.inbound import IngestResult
from conversations.models import Inbox, Interaction

_NO_REPLY = re.compile(
    r"^(no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?|notifications?)([+.-].*)?@",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def maybe_acknowledge(
    *, result: IngestResult, inbox: Inbox, sender: str, sender_name: str, parsed: ParsedEmail
) -> Interaction | None:
    template = (inbox.config or {}).get("acknowledgement") or {}
    body = str(template.get("body") or "")
    if not body.strip() or not _may_acknowledge(sender, parsed):
        return None
    if not cache.add(_ack_key(sender), 1, timeout=conf.ack_interval()):
        return None
    conversation = result.conversation
    values = {
        "customer_name": sender_name or sender,
        "subject": parsed.subject or conversation.subject,
        "conversation_id": str(conversation.pk),
        "inbox_name": inbox.name,
    }
    custom_subject = str(template.get("subject") or "")
    subject = render(custom_subject, values) if custom_subject else reply_subject(values["subject"])
    return do_send_automatic_reply(
        conversation=conversation,
        inbox=inbox,
        channel="email",
        recipient=sender,
        text=render(body, values),
        subject=subject,
        meta={"acknowledgement": True, "acknowledges": result.interaction.pk},
    )


def render(template: str, values: dict[str, str]) -> str:
    """Fill {placeholders}; unknown ones stay as written (no format() attribute access)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def _may_acknowledge(sender: str, parsed: ParsedEmail) -> bool:
    if _NO_REPLY.match(sender) or is_reply_address(sender):
        return False
    if sender in our_addresses(email_inboxes()):
        return False
    return not (parsed.has_header("List-Id") or parsed.has_header("List-Unsubscribe"))


def _ack_key(sender: str) -> str:
    return f"channels_email:ack:{hashlib.sha256(sender.encode()).hexdigest()[:32]}"
