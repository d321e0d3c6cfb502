"""The customer directory is shared by all agents; their conversations are team-scoped
(see conversations.access), and so is every timeline built from them."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from agents.access import agent_for
from conversations.access import NotAgent
from customers.models import Customer


def access_customer(user: Any, customer_id: int | str) -> Customer:
    if agent_for(user) is None:
        raise NotAgent("not an agent")
    try:
        return Customer.objects.get(pk=customer_id, merged_into__isnull=True)
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise Http404("No such customer.") from None
