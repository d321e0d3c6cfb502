"""Settings of the email channel, each read at call time so tests can override them.

Every one can be set in Django settings or in the environment of the same name.
"""

from __future__ import annotations

from django.conf import settings

from omnidesk.env import env_int, env_str


def rate_limit() -> int:
    """How many messages one sender may send within `rate_window()` seconds before the
    rest are kept but flagged as a possible mail loop (0 turns the limit off)."""
    return int(
        getattr(settings, "OMNIDESK_EMAIL_RATE_LIMIT", env_int("OMNIDESK_EMAIL_RATE_LIMIT", 20))
    )


def rate_window() -> int:
    return int(
        getattr(settings, "OMNIDESK_EMAIL_RATE_WINDOW", env_int("OMNIDESK_EMAIL_RATE_WINDOW", 600))
    )


def subject_tag() -> str:
    """The conversation tag in subjects; "{id}" stands for the conversation number.
    Empty: outbound subjects carry no tag (inbound ones are still not searched)."""
    return str(
        getattr(
            settings, "OMNIDESK_EMAIL_SUBJECT_TAG", env_str("OMNIDESK_EMAIL_SUBJECT_TAG", "[#{id}]")
        )
    )


def ack_interval() -> int:
    """Seconds during which one address gets at most one automatic acknowledgement
    (RFC 3834: do not answer the same sender again and again)."""
    return int(
        getattr(
            settings, "OMNIDESK_EMAIL_ACK_INTERVAL", env_int("OMNIDESK_EMAIL_ACK_INTERVAL", 3600)
        )
    )


def inbound_domain() -> str:
    return str(settings.OMNIDESK_INBOUND_EMAIL_DOMAIN).lower()


def attachment_max_bytes() -> int:
    return int(settings.OMNIDESK_ATTACHMENT_MAX_BYTES)
