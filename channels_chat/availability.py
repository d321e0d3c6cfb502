"""Whether anyone can answer a widget now, and whether a visitor is still there.

`agents_online` reads Agent.presence; it is the one place to swap when routing owns
presence."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from agents.models import Agent, Presence
from channels_chat.conf import VISITOR_IDENTITY
from channels_chat.models import ChatVisitor
from conversations.models import Inbox
from customers.models import Identity

# A socket that has not pinged for this long is gone, whatever its counter says (a
# server that crashed never decremented it).
VISITOR_STALE = timedelta(seconds=90)


def agents_online(inbox: Inbox) -> bool:
    """An active agent of the widget's team (any agent for a widget without a team) is
    online."""
    agents = Agent.objects.filter(presence=Presence.ONLINE, user__is_active=True)
    if inbox.team_id is not None:
        agents = agents.filter(teams=inbox.team_id)
    return agents.exists()


def visitor_ids_of(customer_id: int) -> list[str]:
    return list(
        Identity.objects.filter(customer_id=customer_id, kind=VISITOR_IDENTITY)
        .order_by("id")
        .values_list("value", flat=True)
    )


def visitor_online(customer_id: int) -> bool:
    """One of the customer's browsers has the widget open now (one query)."""
    return ChatVisitor.objects.filter(
        visitor_id__in=Identity.objects.filter(
            customer_id=customer_id, kind=VISITOR_IDENTITY
        ).values("value"),
        sockets__gt=0,
        last_seen_at__gte=timezone.now() - VISITOR_STALE,
    ).exists()
