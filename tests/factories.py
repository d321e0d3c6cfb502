"""Building normalized inbound events for tests of the core pipeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from conversations.inbound import InboundEvent
from conversations.models import Inbox


def inbound(
    inbox: Inbox,
    channel: str,
    sender_kind: str,
    sender_value: str,
    text: str,
    *,
    provider_id: str | None = None,
    occurred_at: datetime | None = None,
    **extra: Any,
) -> InboundEvent:
    return InboundEvent(
        inbox=inbox,
        channel=channel,
        sender_kind=sender_kind,
        sender_value=sender_value,
        text=text,
        provider_id=provider_id,
        occurred_at=occurred_at,
        **extra,
    )
