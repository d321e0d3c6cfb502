"""Finding the customer an identity names, creating both when it is new."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from customers.models import Customer, Identity


def do_get_or_create_identity(
    kind: str, value: str, *, name: str = "", verified: bool = True, probably_new: bool = False
) -> tuple[Identity, bool]:
    """The identity (kind, value) with its customer; `value` must be normalized.

    Two racing first contacts both try to insert; the unique constraint lets one win
    and the other reads the winner's row after its savepoint rolls back. `probably_new`
    skips the first look-up when the caller has just seen no such identity.
    """
    if not probably_new:
        existing = Identity.objects.filter(kind=kind, value=value).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            customer = Customer.objects.create(name=name[:200])
            return Identity.objects.create(
                customer=customer, kind=kind, value=value, verified=verified
            ), True
    except IntegrityError:
        return Identity.objects.get(kind=kind, value=value), False
