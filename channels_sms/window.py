"""WhatsApp's 24-hour customer service window.

Free-form messages may be sent only within 24 hours of the customer's last message to
that WhatsApp number; outside it, only a template Meta approved (sent by its Twilio
Content SID, "HX…"). The window belongs to the pair (customer number, our number),
whatever conversation the messages sit in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from channels_sms.conf import WHATSAPP
from conversations.models import Direction, Inbox, Interaction
from conversations.transports import TransportError
from customers.models import IdentityKind

WINDOW = timedelta(hours=24)
CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")


@dataclass(frozen=True)
class Template:
    content_sid: str
    variables: dict[str, str]


def template_of(meta: dict[str, Any]) -> Template | None:
    """The approved template a reply asks for in meta["whatsapp_template"], if any."""
    raw = meta.get("whatsapp_template")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise TransportError(
            'whatsapp_template must be {"content_sid": "HX…", "variables": {…}}.', permanent=True
        )
    content_sid = str(raw.get("content_sid") or "").strip()
    if not CONTENT_SID.match(content_sid):
        raise TransportError(
            "whatsapp_template.content_sid must be a Twilio Content SID: HX followed by 32 "
            "hexadecimal characters.",
            permanent=True,
        )
    variables = raw.get("variables") or {}
    if not isinstance(variables, dict):
        raise TransportError("whatsapp_template.variables must be an object.", permanent=True)
    return Template(content_sid, {str(k): str(v) for k, v in variables.items()})


def window_closes_at(inbox: Inbox, recipient: str) -> datetime | None:
    """When the window for `recipient` on `inbox` closes (maybe in the past); None when
    the customer never wrote to it on WhatsApp."""
    last = (
        Interaction.objects.filter(
            inbox=inbox,
            channel=WHATSAPP,
            direction=Direction.INBOUND,
            author_identity__kind=IdentityKind.PHONE,
            author_identity__value=recipient,
        )
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    return last + WINDOW if last is not None else None


def check_window(inbox: Inbox, recipient: str, meta: dict[str, Any]) -> None:
    """Free text only inside the window; a template always. Raises a permanent
    TransportError saying which."""
    if template_of(meta) is not None:
        return
    closes_at = window_closes_at(inbox, recipient)
    if closes_at is None:
        raise TransportError(
            "The customer has not written to this WhatsApp number, so WhatsApp's 24-hour "
            "window is not open; send an approved template.",
            permanent=True,
            template_would_pass=True,
        )
    if closes_at <= timezone.now():
        raise TransportError(
            f"The WhatsApp 24-hour window closed at "
            f"{closes_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC; send an approved template.",
            permanent=True,
            template_would_pass=True,
        )
