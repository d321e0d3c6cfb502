"""Per-channel SLA targets. A chat customer waits seconds, an email customer hours."""

from __future__ import annotations

from datetime import timedelta

DEFAULT_RESPONSE_TARGETS: dict[str, timedelta] = {
    "chat": timedelta(seconds=40),
    "email": timedelta(hours=4),
    "sms": timedelta(hours=1),
    "whatsapp": timedelta(hours=1),
    "voice": timedelta(seconds=20),
    "api": timedelta(hours=4),
}


def response_target(channel: str) -> timedelta:
    return DEFAULT_RESPONSE_TARGETS.get(channel, timedelta(hours=4))
