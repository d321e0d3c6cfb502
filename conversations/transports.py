"""One transport interface for every channel: send(interaction) -> ProviderResult.

Each channel app names its transport when it registers its channel
(conversations.channels.register_channel); the send task looks it up here. A transport
raises TransportError(permanent=True) for a message that can never go out (opted-out
number, invalid address) and permanent=False for one worth retrying (a timeout, a
provider's 5xx).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from conversations.models import Conversation, Inbox, Interaction


@dataclass(frozen=True)
class ProviderResult:
    provider_id: str | None
    status: str = "sent"
    meta: dict[str, Any] = field(default_factory=dict)


class TransportError(Exception):
    """`template_would_pass`: a refused reply would go out as an approved template (the
    WhatsApp window), so the composer offers the channel for templates only."""

    def __init__(self, message: str, *, permanent: bool, template_would_pass: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.template_would_pass = template_would_pass


class Transport(Protocol):
    def send(self, interaction: Interaction) -> ProviderResult: ...


@runtime_checkable
class ReplyCheck(Protocol):
    """Optional on a transport: refuse a reply before it is queued (an opted-out number,
    a WhatsApp session window that closed), by raising TransportError(permanent=True).
    `send` must still check again, since things change between queueing and sending."""

    def check_reply(
        self, *, conversation: Conversation, inbox: Inbox, recipient: str, meta: dict[str, Any]
    ) -> None: ...


class NoTransport(LookupError):
    pass


def get_transport(channel: str) -> Transport:
    from conversations.channels import find_channel

    spec = find_channel(channel)
    if spec is None or spec.transport is None:
        raise NoTransport(f"no transport is configured for the {channel} channel")
    return spec.transport


def has_transport(channel: str) -> bool:
    from conversations.channels import find_channel

    spec = find_channel(channel)
    return spec is not None and spec.transport is not None


def check_reply(
    channel: str, *, conversation: Conversation, inbox: Inbox, recipient: str, meta: dict[str, Any]
) -> None:
    """Run the channel's pre-send check, if its transport has one (is a ReplyCheck)."""
    transport = get_transport(channel)
    if isinstance(transport, ReplyCheck):
        transport.check_reply(conversation=conversation, inbox=inbox, recipient=recipient,
                              meta=meta)
