"""Reads about customers: the directory, a customer's timeline across conversations and
channels, and the screen pop's history of a caller. Timelines show only the
conversations the user may see (conversations.access); the directory is shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, prefetch_related_objects

from conversations import params as p
from conversations.access import visible_interactions
from conversations.keyset import Ordering, Page, PageRequest, paginate
from conversations.models import Interaction, InteractionKind
from conversations.params import Params
from conversations.queries import with_payload_relations
from customers.access import access_customer, visible_customers
from customers.identities import InvalidIdentity, identity_kinds
from customers.models import Customer, Identity
from customers.payloads import CUSTOMER_PREFETCH

DIRECTORY_ORDERING = Ordering("customers:updated", "updated_at", descending=True)
SCREEN_POP_HISTORY_SIZE = 10


@dataclass(frozen=True)
class CustomerFilters:
    search: str = ""  # part of a name or an identity value
    identity: str = ""  # an exact email, phone number (any format) or external id

    @classmethod
    def parse(cls, params: Params) -> CustomerFilters:
        return cls(search=p.text(params, "search"), identity=p.text(params, "identity"))


def _identity_match(value: str) -> Q:
    """The identities an exact look-up names: the value normalized as each typed identity
    kind it can be (an email, a phone number, an outside id, ...)."""
    match = Q(pk__in=[])
    for spec in identity_kinds():
        if not spec.typed:
            continue
        try:
            match |= Q(kind=spec.kind, value=spec.normalize(value))
        except InvalidIdentity:
            continue
    return match


def customer_directory(user: Any, filters: CustomerFilters, page: PageRequest) -> Page[Customer]:
    """The customers this user may read (customers.access), most recently updated first,
    identities prefetched: two queries a page. Raises NotAgent."""
    qs: QuerySet[Customer] = visible_customers(user)
    if filters.search:
        qs = qs.filter(
            Q(name__icontains=filters.search)
            | Exists(Identity.objects.filter(customer=OuterRef("pk"),
                                             value__icontains=filters.search))
        )
    if filters.identity:
        named = Identity.objects.filter(_identity_match(filters.identity), customer=OuterRef("pk"))
        qs = qs.filter(Exists(named))
    return paginate(qs.prefetch_related(*CUSTOMER_PREFETCH), DIRECTORY_ORDERING, page)


def customer_with_identities(
    user: Any, customer_id: int | str, *, for_write: bool = False
) -> Customer:
    """The customer with what its payload reads (Http404 if this user may not read it;
    with for_write, CustomerNotYours if they may read but not change it)."""
    customer = access_customer(user, customer_id, for_write=for_write)
    prefetch_related_objects([customer], *CUSTOMER_PREFETCH)
    return customer


def _visible_history(user: Any, customer_id: int) -> QuerySet[Interaction]:
    return with_payload_relations(visible_interactions(user).filter(customer_id=customer_id))


def customer_timeline(
    user: Any, customer_id: int | str, ordering: Ordering, page: PageRequest
) -> Page[Interaction]:
    """Every interaction of the customer on every channel, in the conversations this user
    may see (Http404 for no such customer): the customer, the page and its attachments,
    three queries (four for an agent, whose teams are read once)."""
    customer = access_customer(user, customer_id)
    return paginate(_visible_history(user, customer.pk), ordering, page)


@dataclass(frozen=True)
class ScreenPopHistory:
    customer: Customer  # identities prefetched
    interactions: list[Interaction]  # newest first, with what their payload reads


def screen_pop_history(
    user: Any,
    customer_id: int,
    *,
    exclude_interaction_id: int | None = None,
    size: int = SCREEN_POP_HISTORY_SIZE,
) -> ScreenPopHistory:
    """Who is calling and what they wrote or said before, on any channel, as far as this
    agent may see: the customer, their identities, the last `size` messages, calls and
    notes (not system events) and their attachments: four queries (five for an agent)."""
    customer = customer_with_identities(user, customer_id)
    history = _visible_history(user, customer.pk).exclude(kind=InteractionKind.EVENT)
    if exclude_interaction_id is not None:
        history = history.exclude(pk=exclude_interaction_id)
    return ScreenPopHistory(customer, list(history.order_by("-occurred_at", "-id")[:size]))
