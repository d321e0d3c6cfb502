"""Opt-out keywords (STOP / START / HELP), recorded as consent and enforced on sends.

Carriers require that a texted STOP ends messages from that number until START; Twilio
also blocks such sends itself (error 21610), but checking first lets the agent see why
before anything is queued.
"""

from __future__ import annotations

from datetime import UTC

from conversations.transports import TransportError
from customers.actions.consent import do_record_consent
from customers.models import Consent, ConsentStatus, Identity, IdentityKind

OPT_OUT = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
OPT_IN = frozenset({"START", "YES", "UNSTOP"})
HELP = frozenset({"HELP", "INFO"})


def keyword_of(text: str) -> str:
    """The keyword a message consists of (whole message, any case), or ""."""
    word = text.strip().upper()
    return word if word in OPT_OUT | OPT_IN | HELP else ""


def record_keyword(identity: Identity, keyword: str, *, channel: str, scope: str) -> None:
    """STOP or START changes the consent for messages from `scope` (our number) on
    `channel`; HELP changes nothing (Twilio answers it with the number's help text)."""
    if keyword in OPT_OUT:
        status = ConsentStatus.OPTED_OUT
    elif keyword in OPT_IN:
        status = ConsentStatus.OPTED_IN
    else:
        return
    do_record_consent(
        identity, channel=channel, scope=scope, status=status, source=f"inbound keyword {keyword}"
    )


def check_not_opted_out(recipient: str, *, channel: str, scope: str) -> None:
    """Raise a permanent TransportError when `recipient` opted out of `channel` messages
    from `scope` (or from every number of ours)."""
    latest = (
        Consent.objects.filter(
            identity__kind=IdentityKind.PHONE,
            identity__value=recipient,
            channel=channel,
            scope__in=[scope, ""],
        )
        .order_by("-changed_at", "-id")
        .first()
    )
    if latest is None or latest.status != ConsentStatus.OPTED_OUT:
        return
    label = "WhatsApp" if channel == "whatsapp" else "SMS"
    when = latest.changed_at.astimezone(UTC)
    raise TransportError(
        f"{recipient} opted out of {label} messages from {scope or 'this business'} "
        f"({latest.source or 'opted out'}, {when:%Y-%m-%d %H:%M} UTC). "
        f"Nothing can be sent until they text START.",
        permanent=True,
    )
