"""Who may read and change a customer.

A customer is *held* by the conversations they have: an agent holds a customer when one
of those conversations is visible to them (conversations.access). Leads and admins hold
every customer. A customer with no conversation yet (just created, imported) is held by
nobody, and every agent may complete it: nothing of any team can be read or moved
through it.

- Reading: with `OMNIDESK_CUSTOMER_DIRECTORY=shared` (the default) every agent reads
  every customer, so a caller is recognised whichever team they reach; with `team`, an
  agent reads the customers they hold and those nobody holds.
- Changing (profile, identities, merge): only customers the agent holds or nobody holds;
  a merge needs both customers so (`access_customer(..., for_write=True)` on each).
  Timelines stay team-scoped either way.

What an agent may not read is a 404 (no existence leak); what they may read but not
change is a 403 (CustomerNotYours).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from agents.access import agent_for
from conversations.access import NotAgent, visibility_filter
from conversations.models import Conversation
from customers.models import Customer


class CustomerNotYours(PermissionDenied):
    """The agent may see this customer but not change it (403, with this message)."""


def _held_filter(user: Any) -> Q | None:
    """None: every customer. Otherwise the Q of the customers this user may change."""
    rule = visibility_filter(user)  # raises NotAgent for non-agents
    if rule is None:
        return None
    conversations = Conversation.objects.filter(customer=OuterRef("pk"))
    return Q(Exists(conversations.filter(rule))) | ~Q(Exists(conversations))


def visible_customers(user: Any) -> QuerySet[Customer]:
    """The directory as this user may read it (merged-away records left out)."""
    qs = Customer.objects.filter(merged_into__isnull=True)
    if settings.OMNIDESK_CUSTOMER_DIRECTORY == "shared":
        if agent_for(user) is None:
            raise NotAgent("not an agent")
        return qs
    rule = _held_filter(user)
    return qs if rule is None else qs.filter(rule)


def may_change_customer(user: Any, customer: Customer) -> bool:
    rule = _held_filter(user)
    return rule is None or Customer.objects.filter(rule, pk=customer.pk).exists()


def access_customer(user: Any, customer_id: int | str, *, for_write: bool = False) -> Customer:
    """The customer if this user may read it (Http404 otherwise); with for_write, also
    CustomerNotYours when they may read it but not change it."""
    try:
        customer = visible_customers(user).get(pk=customer_id)
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise Http404("No such customer.") from None
    if for_write and not may_change_customer(user, customer):
        raise CustomerNotYours(
            "This customer's conversations belong to other teams: only an agent of one of "
            "them, a lead or an admin may change this customer."
        )
    return customer

