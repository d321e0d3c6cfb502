"""The public shape of a customer and an identity: what the REST API answers and what
the agent socket sends (`customer.updated`), the same dict."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from conversations.payloads import interaction_payload, iso
from customers.models import Customer, Identity

if TYPE_CHECKING:
    from customers.queries import ScreenPopHistory

# What customer_payload reads.
CUSTOMER_PREFETCH = ("identities",)


def identity_payload(identity: Identity) -> dict[str, Any]:
    return {
        "id": identity.pk,
        "kind": identity.kind,
        "value": identity.value,
        "verified": identity.verified,
        "created_at": iso(identity.created_at),
    }


def customer_payload(
    customer: Customer, identities: Sequence[Identity] | None = None
) -> dict[str, Any]:
    """`identities`: the customer's, when the caller has them at hand (else read, from
    the prefetch cache if any), in their model order (kind, value)."""
    if identities is None:
        identities = list(customer.identities.all())
    return {
        "id": customer.pk,
        "name": customer.name,
        "attributes": customer.attributes,
        "tags": list(customer.tags),
        "notes": customer.notes,
        "language": customer.language,
        "preferred_channel": customer.preferred_channel,
        "identities": [identity_payload(i) for i in identities],
        "created_at": iso(customer.created_at),
        "updated_at": iso(customer.updated_at),
    }


def screen_pop_history_payload(history: ScreenPopHistory) -> dict[str, Any]:
    """The caller and their recent history, in the shapes of the customer and
    interaction payloads (newest first)."""
    return {
        "customer": customer_payload(history.customer),
        "history": [interaction_payload(i) for i in history.interactions],
    }
