"""Click-to-call stays inside what the agent may see: an agent may call a customer only
when one of the customer's conversations is visible to them; leads and admins anyone."""

from __future__ import annotations

import pytest
from django.utils import timezone

from conversations.actions.ingest import do_record_inbound
from conversations.models import Conversation, Interaction
from customers.actions.profile import do_add_identity
from tests.factories import inbound

pytestmark = pytest.mark.django_db


@pytest.fixture
def support_customer(email_inbox):
    """A customer whose only conversation is team A's."""
    result = do_record_inbound(inbound(email_inbox, "email", "email", "dana@example.com",
                                       "Please call me", provider_id="<c1@example.com>"))
    do_add_identity(result.conversation.customer, "phone", "+14155550134")
    return result.conversation.customer


def test_an_agent_who_sees_none_of_the_customers_conversations_cannot_call_them(
    client_for, fake_twilio, twilio_inbox, agent_b, support_customer
):
    response = client_for(agent_b).post("/voice/calls/", {"customer_id": support_customer.pk},
                                        format="json")
    assert response.status_code == 404
    assert fake_twilio.requests == []
    assert Interaction.objects.filter(kind="call").count() == 0
    assert Conversation.objects.count() == 1


def test_a_lead_may_call_any_customer(client_for, fake_twilio, twilio_inbox, lead,
                                      support_customer):
    response = client_for(lead).post("/voice/calls/", {"customer_id": support_customer.pk},
                                     format="json")
    assert response.status_code == 201, response.content
    call = Interaction.objects.get(kind="call")
    assert call.conversation.customer == support_customer
    assert len(fake_twilio.calls_created()) == 1


def test_an_agent_who_sees_one_of_the_customers_conversations_may_call(
    client_for, fake_twilio, twilio_inbox, agent_b, team_b, support_customer
):
    theirs = Conversation.objects.create(customer=support_customer, team=team_b,
                                         last_activity_at=timezone.now())

    response = client_for(agent_b).post("/voice/calls/", {"customer_id": support_customer.pk},
                                        format="json")
    assert response.status_code == 201, response.content
    assert Interaction.objects.get(kind="call").conversation == theirs
