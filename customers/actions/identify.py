"""Finding the customer an identity names, creating both when it is new."""

from __future__ import annotations

from django.db import transaction

from customers.models import Customer, Identity
from omnidesk.fastsql import insert_row


def do_get_or_create_identity(
    kind: str,
    value: str,
    *,
    name: str = "",
    verified: bool = True,
    probably_new: bool = False,
    keys: tuple[int, int] | None = None,
) -> tuple[Identity, bool]:
    """The identity (kind, value) with its customer; `value` must be normalized.

    Two racing first contacts both insert a customer, then the identity with `ON CONFLICT
    DO NOTHING` on (kind, value): the second waits for the first to commit, writes
    nothing, drops its customer and reads the winner's row (no savepoint: two round
    trips fewer for every new sender). `probably_new` skips the first look-up when the
    caller has just seen no such identity.

    `keys`: the (customer, identity) keys a batch of events reserved (inside
    `fastsql.pipelined()`): both rows are sent without waiting, and a racing first contact
    raises fastsql.Conflict when the block ends (the batch is then recorded one by one).
    """
    if not probably_new:
        existing = Identity.objects.filter(kind=kind, value=value).first()
        if existing is not None:
            return existing, False
    with transaction.atomic(savepoint=False):
        customer = Customer(pk=keys[0] if keys else None, name=name[:200])
        insert_row(customer, deferred=keys is not None)
        identity = Identity(pk=keys[1] if keys else None, customer=customer, kind=kind,
                            value=value, verified=verified)
        # The arbiter is identity_unique_kind_value.
        if insert_row(identity, on_conflict="(kind, value)", deferred=keys is not None):
            return identity, True
        Customer.objects.filter(pk=customer.pk).delete()  # nothing refers to it yet
    return Identity.objects.get(kind=kind, value=value), False
