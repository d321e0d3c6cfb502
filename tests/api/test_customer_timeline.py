"""The repeat-yourself audit through the API: a customer who emailed, then texted, then
called is one Customer with one Conversation, and their timeline shows all three."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from conversations.actions.ingest import do_record_inbound
from conversations.inbound import InboundAttachment
from conversations.models import Conversation, InteractionKind
from customers.actions.profile import do_add_identity
from customers.models import Customer
from tests.factories import inbound

pytestmark = pytest.mark.django_db

SWITCH_TO_SMS = ("internal", "event", "Customer switched from email to sms")
SWITCH_TO_VOICE = ("internal", "event", "Customer switched from sms to voice")


@pytest.fixture
def dana(email_inbox, twilio_inbox) -> Customer:
    """Dana emails, an agent adds her phone number, then she texts and calls."""
    t0 = timezone.now() - timedelta(hours=2)
    first = do_record_inbound(inbound(
        email_inbox, "email", "email", "Dana.Reyes@Example.COM", "My order #1042 is late",
        provider_id="<a1@mail.example.com>", occurred_at=t0, subject="Order 1042 late",
        sender_name="Dana Reyes",
        attachments=[InboundAttachment("receipt.pdf", "application/pdf", b"%PDF-1.4 receipt")],
    ))
    customer = first.conversation.customer
    do_add_identity(customer, "phone", "+1 (415) 555-0134")
    do_record_inbound(inbound(twilio_inbox, "sms", "phone", "+14155550134", "Any news on 1042?",
                              provider_id="SM1", occurred_at=t0 + timedelta(minutes=30)))
    do_record_inbound(inbound(twilio_inbox, "voice", "phone", "+14155550134", "",
                              provider_id="CA1", occurred_at=t0 + timedelta(minutes=50),
                              kind=InteractionKind.CALL))
    return customer


def _rows(response):
    return [(i["channel"], i["kind"], i["text"]) for i in response.json()["results"]]


def test_email_sms_call_are_one_customer_one_conversation_one_timeline(dana, client_for, agent_a):
    assert Customer.objects.count() == 1
    conversation = Conversation.objects.get()
    response = client_for(agent_a).get(f"/api/v1/customers/{dana.pk}/timeline/?count=true")
    assert response.status_code == 200
    assert _rows(response) == [
        ("email", "message", "My order #1042 is late"),
        ("sms", "message", "Any news on 1042?"),
        SWITCH_TO_SMS,
        ("voice", "call", ""),
        SWITCH_TO_VOICE,
    ]
    body = response.json()
    assert (body["count"], body["next"]) == (5, None)
    assert {i["conversation_id"] for i in body["results"]} == {conversation.pk}
    email = body["results"][0]
    assert email["direction"] == "in" and email["subject"] == "Order 1042 late"
    assert email["status"] == "received"
    assert email["author"] == {"type": "customer", "agent_id": None,
                               "identity_id": email["author"]["identity_id"],
                               "name": "dana.reyes@example.com"}
    assert [a["name"] for a in email["attachments"]] == ["receipt.pdf"]
    receipt = email["attachments"][0]
    assert receipt["url"] == f"/attachments/{receipt['id']}/"
    assert body["results"][2]["event_type"] == "channel_switched"
    assert body["results"][2]["author"]["type"] == "system"


def test_timeline_newest_first_on_request(dana, client_for, agent_a):
    response = client_for(agent_a).get(f"/api/v1/customers/{dana.pk}/timeline/?order=desc")
    assert _rows(response) == [
        SWITCH_TO_VOICE,
        ("voice", "call", ""),
        SWITCH_TO_SMS,
        ("sms", "message", "Any news on 1042?"),
        ("email", "message", "My order #1042 is late"),
    ]
    assert client_for(agent_a).get(
        f"/api/v1/customers/{dana.pk}/timeline/?order=sideways").status_code == 400


def test_timeline_shows_only_conversations_the_agent_may_see(
    dana, email_inbox_b, client_for, agent_a, agent_b, lead
):
    do_record_inbound(inbound(email_inbox_b, "email", "email", "dana.reyes@example.com",
                              "Billing question", provider_id="<d2@mail.example.com>",
                              use_continuity=False))
    url = f"/api/v1/customers/{dana.pk}/timeline/"
    team_a_texts = [r[2] for r in _rows(client_for(agent_a).get(url))]
    assert "Billing question" not in team_a_texts and len(team_a_texts) == 5
    assert _rows(client_for(agent_b).get(url)) == [("email", "message", "Billing question")]
    assert len(_rows(client_for(lead).get(url))) == 6


def test_timeline_query_count_does_not_grow_with_page_size(
    dana, session_client, agent_a, django_assert_num_queries
):
    # More interactions, with attachments, so a per-row query would show.
    conversation = Conversation.objects.get()
    for n in range(6):
        result = do_record_inbound(inbound(
            conversation.last_inbound_inbox, "sms", "phone", "+14155550134", f"more {n}",
            provider_id=f"SM-more-{n}",
        ))
        result.interaction.attachments.create(name=f"photo{n}.jpg", content_type="image/jpeg",
                                              size=3).file.save("p.jpg", ContentFile(b"jpg"))
    client = session_client(agent_a)
    url = f"/api/v1/customers/{dana.pk}/timeline/"
    # session, user, agent, agent's teams, customer, page, attachments: no count
    with django_assert_num_queries(7):
        small = client.get(url, {"page_size": 2})
    with django_assert_num_queries(7):
        large = client.get(url, {"page_size": 50})
    assert len(small.json()["results"]) == 2
    # 5 + 6 texts + the switch from voice back to sms
    assert len(large.json()["results"]) == 12
    assert large.json()["next"] is None


def test_timeline_of_unknown_or_merged_customer_is_404(dana, client_for, agent_a):
    assert client_for(agent_a).get("/api/v1/customers/999999/timeline/").status_code == 404
