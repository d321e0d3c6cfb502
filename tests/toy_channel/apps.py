"""A toy channel, installed only in the test settings: carrier pigeons. It plugs into
the core exactly as a real channel app does (one AppConfig.ready), so tests can show
that a new channel needs no change to conversations/, customers/ or routing/."""

from __future__ import annotations

from datetime import timedelta

from django.apps import AppConfig

PIGEON = "pigeon"
LOFT = "loft"  # the inbox kind: a pigeon loft
RING = "ring"  # the identity kind: the number on the bird's leg ring


def normalize_ring(value: str) -> str:
    from customers.identities import InvalidIdentity

    ring = value.strip().upper()
    if not ring.startswith("R-") or not ring[2:].isdigit():
        raise InvalidIdentity(f"not a ring number: {value!r}")
    return ring


def validate_loft_config(config: dict[str, object]) -> dict[str, object]:
    if "birds" in config and not isinstance(config["birds"], int):
        raise ValueError("birds must be a whole number")
    return config


class ToyChannelConfig(AppConfig):
    name = "tests.toy_channel"
    label = "toy_channel"

    def ready(self) -> None:
        from conversations.channels import (
            ChannelSpec,
            InboxKindSpec,
            WebhookUrl,
            register_channel,
            register_inbox_kind,
        )
        from customers.identities import IdentityKindSpec, register_identity_kind
        from tests.toy_channel.transport import PigeonTransport

        register_identity_kind(IdentityKindSpec(RING, "Ring number", normalize_ring))
        register_inbox_kind(InboxKindSpec(
            LOFT, "Pigeon loft", validate_loft_config,
            lambda inbox: [WebhookUrl("Birds land at", f"https://loft.test/{inbox.slug}")],
        ))
        register_channel(ChannelSpec(
            kind=PIGEON, label="Pigeon post", icon="send", inbox_kind=LOFT,
            identity_kind=RING, transport=PigeonTransport(),
            first_response_target=timedelta(days=2),
        ))
