"""Where channel apps plug into the core: one registration per channel and per inbox kind.

The core never names a channel. Each channel app describes what it brings from its
AppConfig.ready(): the channel (label, icon, the identity that addresses a customer on
it, the inbox kind that carries it, its transport, its default first-response target)
and the kind of inbox an admin configures for it (label, config validation, the webhook
URLs to show). Everything the core, the API, the pages and routing need to know about a
channel is read from here, so adding a channel is one new app and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conversations.models import Inbox
    from conversations.transports import Transport

ConfigValidator = Callable[[dict[str, Any]], dict[str, Any]]

# Notes and system events: the core's own channel, never sent anywhere.
INTERNAL = "internal"


@dataclass(frozen=True)
class WebhookUrl:
    """An address a provider must be told about, as an admin sees it."""

    purpose: str  # what the provider calls it for: "A message comes in"
    url: str


def _no_urls(inbox: Inbox) -> list[WebhookUrl]:
    return []


def _no_embed(inbox: Inbox) -> str:
    return ""


def _as_is(config: dict[str, Any]) -> dict[str, Any]:
    return config


@dataclass(frozen=True)
class InboxKindSpec:
    kind: str  # stored in Inbox.kind: "email", "twilio"
    label: str  # "Mailbox", "Twilio number"
    validate_config: ConfigValidator = _as_is  # the cleaned config; ValueError if wrong
    webhook_urls: Callable[[Inbox], list[WebhookUrl]] = _no_urls
    # The snippet an admin pastes into their website (a chat widget's script tag); ""
    # for kinds that have none.
    embed_code: Callable[[Inbox], str] = _no_embed


@dataclass(frozen=True)
class ChannelSpec:
    kind: str  # stored in Interaction.channel: "email", "sms"
    label: str  # "Email", "SMS"
    icon: str  # a Lucide icon name in static/icons/sprite.svg
    inbox_kind: str  # the kind of inbox that carries it
    # The identity kind that addresses a customer on this channel (a reply goes to one
    # of the customer's identities of this kind); None when replies need no address.
    identity_kind: str | None
    # Sends replies; None for a channel nobody writes on (voice: calls are placed).
    transport: Transport | None
    # The default first-response target of an SLA on this channel: a chat customer
    # waits seconds, an email customer hours.
    first_response_target: timedelta
    # Where a written reply goes when this channel carries none (a call → a text).
    written_fallback: str | None = None


class UnknownChannel(LookupError):
    pass


_channels: dict[str, ChannelSpec] = {}
_inbox_kinds: dict[str, InboxKindSpec] = {}


def register_channel(spec: ChannelSpec) -> None:
    """From a channel app's AppConfig.ready(). Registering a kind again replaces it."""
    if spec.kind == INTERNAL:
        raise ValueError(f"{INTERNAL!r} is the core's own channel")
    _channels[spec.kind] = spec


def register_inbox_kind(spec: InboxKindSpec) -> None:
    """From a channel app's AppConfig.ready(). Apps sharing an inbox kind (SMS and voice
    on a Twilio number) may both register it; the last registration stands."""
    _inbox_kinds[spec.kind] = spec


def unregister_channel(kind: str) -> None:
    """For tests that plug a channel in and out."""
    _channels.pop(kind, None)


def unregister_inbox_kind(kind: str) -> None:
    _inbox_kinds.pop(kind, None)


def channel_spec(kind: str) -> ChannelSpec:
    try:
        return _channels[kind]
    except KeyError:
        raise UnknownChannel(f"no channel {kind!r} is installed") from None


def find_channel(kind: str) -> ChannelSpec | None:
    return _channels.get(kind)


def channel_specs() -> list[ChannelSpec]:
    """Every installed channel, in the order the apps registered them."""
    return list(_channels.values())


def channel_kinds() -> tuple[str, ...]:
    """The channels customers can use (never `internal`)."""
    return tuple(_channels)


def channel_choices() -> list[tuple[str, str]]:
    return [(spec.kind, spec.label) for spec in _channels.values()]


def inbox_kind_spec(kind: str) -> InboxKindSpec:
    try:
        return _inbox_kinds[kind]
    except KeyError:
        raise UnknownChannel(f"no inbox kind {kind!r} is installed") from None


def inbox_kind_specs() -> list[InboxKindSpec]:
    return list(_inbox_kinds.values())


def inbox_kind_choices() -> list[tuple[str, str]]:
    return [(spec.kind, spec.label) for spec in _inbox_kinds.values()]


def channels_of_inbox_kind(kind: str) -> list[ChannelSpec]:
    return [spec for spec in _channels.values() if spec.inbox_kind == kind]


def validate_inbox_config(kind: str, config: dict[str, Any] | None) -> dict[str, Any]:
    """The cleaned config for an inbox of `kind`; ValueError says what is wrong."""
    if kind not in _inbox_kinds:
        raise ValueError(f"unknown inbox kind {kind!r}; installed: {', '.join(_inbox_kinds)}")
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise ValueError("config must be a JSON object")
    return _inbox_kinds[kind].validate_config(dict(config))


def embed_code(inbox: Inbox) -> str:
    """What to paste into a website for this inbox; "" for most kinds."""
    spec = _inbox_kinds.get(inbox.kind)
    return spec.embed_code(inbox) if spec is not None else ""


def webhook_urls(inbox: Inbox) -> list[WebhookUrl]:
    """The URLs an admin gives the provider of this inbox."""
    spec = _inbox_kinds.get(inbox.kind)
    return spec.webhook_urls(inbox) if spec is not None else []
