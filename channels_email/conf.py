"""Settings of the email channel (defined in omnidesk/settings.py), read at call time so
tests can override them."""

from __future__ import annotations

from django.conf import settings

# What this app registers with the core (apps.py): the "email" channel, carried by
# inboxes of kind "email" (mailboxes).
EMAIL_CHANNEL = "email"
EMAIL_INBOX = "email"


def rate_limit() -> int:
    """How many messages one sender may send within `rate_window()` seconds before the
    rest are kept but flagged as a possible mail loop (0 turns the limit off)."""
    return int(settings.OMNIDESK_EMAIL_RATE_LIMIT)


def rate_window() -> int:
    return int(settings.OMNIDESK_EMAIL_RATE_WINDOW)


def subject_tag() -> str:
    """The conversation tag in subjects; "{id}" stands for the conversation number.
    Empty: outbound subjects carry no tag (inbound ones are still not searched)."""
    return str(settings.OMNIDESK_EMAIL_SUBJECT_TAG)


def ack_interval() -> int:
    """Seconds during which one address gets at most one automatic acknowledgement
    (RFC 3834: do not answer the same sender again and again)."""
    return int(settings.OMNIDESK_EMAIL_ACK_INTERVAL)


def inbound_domain() -> str:
    return str(settings.OMNIDESK_INBOUND_EMAIL_DOMAIN).lower()


def attachment_max_bytes() -> int:
    return int(settings.OMNIDESK_ATTACHMENT_MAX_BYTES)


def webhook_max_bytes() -> int:
    """Largest body an email webhook accepts: a whole message with attachments up to
    attachment_max_bytes() in base64, inside the ESP's JSON or form encoding."""
    return int(settings.OMNIDESK_EMAIL_WEBHOOK_MAX_BYTES)


def request_max_bytes() -> int:
    """Largest body of every other request (Django's DATA_UPLOAD_MAX_MEMORY_SIZE is the
    larger of the two, so that the webhooks can read theirs)."""
    return int(settings.OMNIDESK_REQUEST_MAX_BYTES)
