"""Creating and editing customers and their identities. An edit publishes
`customer.updated` (the customer's full state) to whoever may see the customer's
conversations."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from customers.identities import normalize_identity
from customers.models import Customer, Identity
from customers.notify import notify_customer


class IdentityTaken(ValueError):
    def __init__(self, identity: Identity) -> None:
        super().__init__(
            f"{identity.kind} {identity.value} already belongs to customer #{identity.customer_id}"
        )
        self.identity = identity


PROFILE_FIELDS = ("name", "attributes", "tags", "notes", "language", "preferred_channel")


def do_create_customer(*, identities: list[tuple[str, str]], **fields: Any) -> Customer:
    with transaction.atomic():
        customer = Customer.objects.create(
            **{k: v for k, v in fields.items() if k in PROFILE_FIELDS}
        )
        for kind, value in identities:
            _add_identity(customer, kind, value, verified=True)
    return customer


def do_update_customer(customer: Customer, **fields: Any) -> Customer:
    with transaction.atomic():
        customer = Customer.objects.select_for_update(no_key=True).get(pk=customer.pk)
        for key, value in fields.items():
            if key in PROFILE_FIELDS:
                setattr(customer, key, value)
        customer.save()
        notify_customer(customer)
    return customer


def do_add_identity(
    customer: Customer, kind: str, value: str, *, verified: bool = True
) -> Identity:
    """Raises InvalidIdentity for a malformed value, IdentityTaken when another customer
    has it (merge them instead)."""
    with transaction.atomic():
        identity, created = _add_identity(customer, kind, value, verified=verified)
        if created:
            notify_customer(customer)
    return identity


def _add_identity(
    customer: Customer, kind: str, value: str, *, verified: bool
) -> tuple[Identity, bool]:
    normalized = normalize_identity(kind, value)
    existing = Identity.objects.filter(kind=kind, value=normalized).first()
    if existing is not None:
        if existing.customer_id == customer.pk:
            return existing, False
        raise IdentityTaken(existing)
    try:
        with transaction.atomic():
            identity = Identity.objects.create(
                customer=customer, kind=kind, value=normalized, verified=verified
            )
    except IntegrityError:
        raise IdentityTaken(Identity.objects.get(kind=kind, value=normalized)) from None
    return identity, True


def do_remove_identity(customer: Customer, identity_id: int) -> None:
    with transaction.atomic():
        deleted, _ = Identity.objects.filter(customer=customer, pk=identity_id).delete()
        if not deleted:
            raise Identity.DoesNotExist(f"customer #{customer.pk} has no identity #{identity_id}")
        notify_customer(customer)
