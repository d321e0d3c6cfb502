"""Which inbox a Twilio address belongs to, and which of its numbers sends on a channel.

A Twilio inbox's `address` is its number; a WhatsApp sender may be a different number
(config "whatsapp_sender"). WhatsApp addresses carry a "whatsapp:" prefix on the wire.
"""

from __future__ import annotations

from channels_sms.conf import WHATSAPP
from conversations.models import Inbox
from customers.identities import InvalidIdentity, normalize_phone
from twilio_common.inbox import inbox_for_number, twilio_inboxes

WHATSAPP_PREFIX = "whatsapp:"


def is_whatsapp_address(value: str) -> bool:
    return value.strip().lower().startswith(WHATSAPP_PREFIX)


def inbox_for_address(value: str) -> Inbox | None:
    """The active Twilio inbox whose number or WhatsApp sender is `value`."""
    inbox = inbox_for_number(value)
    if inbox is not None:
        return inbox
    try:
        e164 = normalize_phone(value)
    except InvalidIdentity:
        return None
    return next((inbox for inbox in twilio_inboxes()
                 if inbox.config.get("whatsapp_sender") == e164), None)


def inbox_for_messaging_service(sid: str) -> Inbox | None:
    # NUL cannot be in a SID and PostgreSQL refuses it in a JSON lookup.
    if not sid or "\x00" in sid:
        return None
    return next((inbox for inbox in twilio_inboxes()
                 if inbox.config.get("messaging_service_sid") == sid), None)


def sender_number(inbox: Inbox, channel: str) -> str:
    """The E.164 number this inbox sends from on `channel`; consents are scoped to it."""
    if channel == WHATSAPP:
        return str(inbox.config.get("whatsapp_sender") or inbox.address)
    return inbox.address


def channel_address(channel: str, number: str) -> str:
    return f"{WHATSAPP_PREFIX}{number}" if channel == WHATSAPP else number
