"""The conversation list: filters, order, and a query count that does not grow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.actions.ingest import do_record_inbound
from conversations.actions.reply import do_send_reply
from conversations.actions.update import do_update_conversation
from conversations.models import Conversation
from tests.factories import inbound

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(twilio_inbox, email_inbox, email_inbox_b, lead, agent_a):
    """sms (team A, urgent, vip, assigned to agent_a), email (team A, then a chat message,
    pending), email (team B, resolved, no team after a move)."""
    now = timezone.now()
    sms = do_record_inbound(inbound(twilio_inbox, "sms", "phone", "+14155550100", "a",
                                    provider_id="S1", occurred_at=now - timedelta(hours=3)))
    mail = do_record_inbound(inbound(email_inbox, "email", "email", "m@example.com", "b",
                                     provider_id="<m@x>", occurred_at=now - timedelta(hours=2)))
    other = do_record_inbound(inbound(email_inbox_b, "email", "email", "o@example.com", "c",
                                      provider_id="<o@x>", occurred_at=now - timedelta(hours=1)))
    do_update_conversation(sms.conversation, by=lead, changes={
        "priority": 3, "tags": ["vip", "refund"], "assignee": agent_a})
    do_update_conversation(mail.conversation, by=lead, changes={"status": "pending"})
    do_update_conversation(other.conversation, by=lead,
                           changes={"status": "resolved", "team": None})
    return sms.conversation, mail.conversation, other.conversation


def _ids(client, query=""):
    response = client.get(f"/api/v1/conversations/{query}")
    assert response.status_code == 200, response.content
    return [c["id"] for c in response.json()["results"]]


def test_newest_activity_first(three, client_for, lead):
    sms, mail, other = three
    # Each update touched last_activity_at in the order sms, mail, other.
    assert _ids(client_for(lead)) == [other.pk, mail.pk, sms.pk]


def test_filters(three, client_for, lead, agent_a, team_a):
    sms, mail, other = three
    client = client_for(lead)
    assert _ids(client, "?status=pending") == [mail.pk]
    assert _ids(client, "?status=open,resolved") == [other.pk, sms.pk]
    assert _ids(client, "?channel=sms") == [sms.pk]
    assert _ids(client, "?channel=email") == [other.pk, mail.pk]
    assert _ids(client, f"?team={team_a.pk}") == [mail.pk, sms.pk]
    assert _ids(client, "?team=none") == [other.pk]
    assert _ids(client, f"?assignee={agent_a.pk}") == [sms.pk]
    assert _ids(client, "?assignee=none") == [other.pk, mail.pk]
    assert _ids(client_for(agent_a), "?assignee=me") == [sms.pk]
    assert _ids(client, f"?customer={mail.customer_id}") == [mail.pk]
    assert _ids(client, "?priority=3") == [sms.pk]
    assert _ids(client, "?priority=urgent,low") == [sms.pk]
    assert _ids(client, "?tag=vip") == [sms.pk]
    assert _ids(client, "?tag=vi") == []
    assert _ids(client, "?status=open&channel=sms&tag=refund") == [sms.pk]


def test_channel_filter_counts_replies_on_a_channel_too(three, client_for, lead, api_inbox,
                                                        receiver):
    sms = three[0]
    api_inbox.config = {"outbound_url": receiver.url}
    api_inbox.save()
    do_send_reply(conversation=sms, author=lead, text="Following up here", channel="api")
    assert _ids(client_for(lead), "?channel=api") == [sms.pk]


def test_updated_since(three, client_for, lead):
    mail = three[1]
    cutoff = timezone.now()
    do_update_conversation(mail, by=lead, changes={"priority": 0})
    stamp = cutoff.isoformat()
    assert _ids(client_for(lead), f"?updated_since={stamp.replace('+', '%2B')}") == [mail.pk]
    # An unencoded "+" arrives as a space and still parses.
    assert _ids(client_for(lead), f"?updated_since={stamp}") == [mail.pk]


@pytest.mark.parametrize("query,param", [
    ("?status=closed", "status"),
    ("?channel=fax", "channel"),
    ("?team=x", "team"),
    ("?assignee=someone", "assignee"),
    ("?priority=9", "priority"),
    ("?updated_since=yesterday", "updated_since"),
    ("?customer=abc", "customer"),
])
def test_bad_filter_is_a_400_naming_the_parameter(query, param, client_for, lead):
    response = client_for(lead).get(f"/api/v1/conversations/{query}")
    assert response.status_code == 400
    assert list(response.json()) == [param]


def test_list_query_count_does_not_grow(three, email_inbox, session_client, lead,
                                        django_assert_num_queries):
    for n in range(5):
        do_record_inbound(inbound(email_inbox, "email", "email", f"c{n}@example.com", "hi",
                                  provider_id=f"<c{n}@x>"))
    client = session_client(lead)
    # session, user, agent, count, page (customer, team and assignee joined).
    with django_assert_num_queries(5):
        small = client.get("/api/v1/conversations/", {"page_size": 2})
    with django_assert_num_queries(5):
        large = client.get("/api/v1/conversations/", {"page_size": 50})
    assert len(small.json()["results"]) == 2
    assert len(large.json()["results"]) == Conversation.objects.count() == 8
    row = next(c for c in large.json()["results"] if c["id"] == three[0].pk)
    assert row["assignee"]["username"] == "agent_a"
    assert row["team"]["name"] == "Team A"
    assert row["tags"] == ["refund", "vip"]
    assert row["channels"] == ["sms"]
