"""notify_* functions: the realtime events of customer changes. Called by actions only,
inside their transaction."""

from __future__ import annotations

from conversations.models import Conversation
from customers.models import Customer
from customers.payloads import CUSTOMER_PREFETCH, customer_payload
from realtime import events
from realtime.audience import Audience
from realtime.publish import publish


def customer_audience(customer_id: int) -> Audience:
    """Whoever may see one of the customer's conversations: staff, the conversations'
    teams and their assignees."""
    pairs = set(
        Conversation.objects.filter(customer_id=customer_id).values_list("team_id", "assignee_id")
    )
    return Audience.of({team for team, _ in pairs}, {user for _, user in pairs})


def notify_customer(customer: Customer) -> None:
    """`customer.updated` with the customer's state as this transaction leaves it."""
    fresh = Customer.objects.prefetch_related(*CUSTOMER_PREFETCH).get(pk=customer.pk)
    publish(events.CUSTOMER_UPDATED, customer_payload(fresh), customer_audience(customer.pk))
