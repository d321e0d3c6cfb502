"""Signed, expiring public links to an attachment, for providers that fetch our media
themselves (Twilio's MediaUrl for MMS and WhatsApp). Anyone holding the link may
download that one file until it expires; nothing else is reachable with it. Agents use
the permission-checked download view (conversations.payloads.attachment_url) instead.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from conversations.models import Attachment

LINK_SALT = "omnidesk.attachment.public"
# Long enough for a provider's fetch (and its own retries) after a send; a retried send
# makes a fresh link.
PUBLIC_LINK_TTL = timedelta(hours=1)


class LinkInvalid(Exception):
    """Tampered with, expired, or not a link to an attachment."""


def public_attachment_url(attachment: Attachment, *, ttl: timedelta = PUBLIC_LINK_TTL) -> str:
    """An absolute URL (under PUBLIC_URL) that serves the attachment's bytes without a
    sign-in until `ttl` has passed."""
    expires = int(time.time() + ttl.total_seconds())
    token = signing.dumps([attachment.pk, expires], salt=LINK_SALT)
    path = reverse("attachment-public", args=[token])
    return f"{settings.PUBLIC_URL.rstrip('/')}{path}"


def attachment_id_from_link(token: str, *, now: float | None = None) -> int:
    """The attachment a link names, if its signature holds and it has not expired."""
    try:
        attachment_id, expires = signing.loads(token, salt=LINK_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkInvalid("not a valid link") from None
    if not isinstance(attachment_id, int) or not isinstance(expires, int):
        raise LinkInvalid("not a valid link")
    if (time.time() if now is None else now) >= expires:
        raise LinkInvalid("the link has expired")
    return attachment_id
