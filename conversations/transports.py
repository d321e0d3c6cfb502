"""One transport interface for every channel: send(interaction) -> ProviderResult.

Channel apps register a transport per channel kind from AppConfig.ready(); the send
task looks it up here. A transport raises TransportError(permanent=True) for a message
that can never go out (opted-out number, invalid address) and permanent=False for one
worth retrying (a timeout, a provider's 5xx).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from conversations.models import Interaction


@dataclass(frozen=True)
class ProviderResult:
    provider_id: str | None
    status: str = "sent"
    meta: dict[str, Any] = field(default_factory=dict)


class TransportError(Exception):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class Transport(Protocol):
    def send(self, interaction: Interaction) -> ProviderResult: ...


class NoTransport(LookupError):
    pass


_transports: dict[str, Transport] = {}


def register_transport(channel: str, transport: Transport) -> None:
    _transports[channel] = transport


def get_transport(channel: str) -> Transport:
    try:
        return _transports[channel]
    except KeyError:
        raise NoTransport(f"no transport is configured for the {channel} channel") from None


def has_transport(channel: str) -> bool:
    return channel in _transports
