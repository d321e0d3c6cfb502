"""The conversation list through the API: filters, views, sorts, cursor pages, and a
query count that does not grow."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversations.actions.ingest import do_record_inbound
from conversations.actions.reply import do_send_reply
from conversations.actions.update import do_update_conversation
from conversations.models import Conversation
from customers.actions.profile import do_add_identity
from routing.actions.sla import do_start_response_clock
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
    assert _ids(client_for(lead), "?sort=last_activity") == [other.pk, mail.pk, sms.pk]


def test_filters(three, client_for, lead, agent_a, team_a, twilio_inbox, email_inbox):
    sms, mail, other = three
    client = client_for(lead)
    assert _ids(client, "?status=pending") == [mail.pk]
    assert _ids(client, "?status=open,resolved") == [other.pk, sms.pk]
    assert _ids(client, "?used_channel=sms") == [sms.pk]
    assert _ids(client, "?used_channel=email") == [other.pk, mail.pk]
    assert _ids(client, "?used_channel=sms,email") == [other.pk, mail.pk, sms.pk]
    assert _ids(client, "?waiting_channel=sms") == [sms.pk]
    assert _ids(client, "?waiting_channel=email") == [other.pk, mail.pk]
    assert _ids(client, f"?team={team_a.pk}") == [mail.pk, sms.pk]
    assert _ids(client, "?team=none") == [other.pk]
    assert _ids(client, f"?assignee={agent_a.pk}") == [sms.pk]
    assert _ids(client, "?assignee=none") == [other.pk, mail.pk]
    assert _ids(client_for(agent_a), "?assignee=me") == [sms.pk]
    assert _ids(client, f"?customer={mail.customer_id}") == [mail.pk]
    assert _ids(client, f"?inbox={twilio_inbox.pk}") == [sms.pk]
    assert _ids(client, f"?inbox={email_inbox.pk}") == [mail.pk]
    assert _ids(client, "?priority=3") == [sms.pk]
    assert _ids(client, "?priority=urgent,low") == [sms.pk]
    assert _ids(client, "?tag=vip") == [sms.pk]
    assert _ids(client, "?tag=vi") == []
    assert _ids(client, "?status=open&used_channel=sms&tag=refund") == [sms.pk]


def test_waiting_channel_is_the_oldest_unanswered_inbound_not_any_used_one(
    three, client_for, lead, twilio_inbox
):
    """A customer who emailed, got an answer, then called waits on voice: a voice queue
    lists them, an email queue does not, though the conversation used email."""
    mail = three[1]
    do_send_reply(conversation=mail, author=lead, text="On it", channel="email")
    do_add_identity(mail.customer, "phone", "+14155550122")
    call = do_record_inbound(inbound(twilio_inbox, "voice", "phone", "+14155550122", "",
                                     provider_id="CA-wait", kind="call"))
    assert call.conversation.pk == mail.pk
    client = client_for(lead)
    assert _ids(client, "?waiting_channel=voice") == [mail.pk]
    assert mail.pk not in _ids(client, "?waiting_channel=email")
    assert mail.pk in _ids(client, "?used_channel=email")


def test_used_channel_counts_replies_on_a_channel_too(three, client_for, lead, api_inbox,
                                                     receiver):
    sms = three[0]
    api_inbox.config = {"outbound_url": receiver.url}
    api_inbox.save()
    do_send_reply(conversation=sms, author=lead, text="Following up here", channel="api")
    assert _ids(client_for(lead), "?used_channel=api") == [sms.pk]
    sms.refresh_from_db()
    assert sms.channels == ["sms", "api"]


def test_views_of_an_agent(three, client_for, agent_a):
    sms, mail, _other = three  # other has no team: agent_a cannot see it
    client = client_for(agent_a)
    assert _ids(client) == [mail.pk, sms.pk]
    assert _ids(client, "?view=mine") == [sms.pk]
    assert _ids(client, "?view=unassigned") == [mail.pk]
    assert _ids(client, "?view=my_teams") == [mail.pk, sms.pk]
    refused = client.get("/api/v1/conversations/?view=all")
    assert refused.status_code == 400
    assert refused.json() == {"view": [
        "only leads and admins see all conversations; use mine, unassigned or my_teams"]}


def test_views_of_a_lead(three, client_for, lead, agent_a):
    sms, mail, other = three
    client = client_for(lead)
    assert _ids(client, "?view=all") == [other.pk, mail.pk, sms.pk]
    assert _ids(client, "?view=unassigned") == [other.pk, mail.pk]
    assert _ids(client, "?view=mine") == []
    assert _ids(client, "?view=my_teams") == []  # the demo lead is in no team
    do_update_conversation(other, by=lead, changes={"assignee": lead})
    assert _ids(client, "?view=mine") == [other.pk]


def test_sla_due_and_longest_waiting_sorts_put_the_empty_ones_last(three, client_for, lead):
    sms, mail, other = three
    for conversation in (sms, mail, other):
        do_start_response_clock(conversation.pk)
    # Due: sms 3 h ago + 1 h, mail 2 h ago + 4 h, other 1 h ago + 4 h.
    client = client_for(lead)
    assert _ids(client, "?sort=sla_due") == [sms.pk, mail.pk, other.pk]
    assert _ids(client, "?sort=longest_waiting") == [sms.pk, mail.pk, other.pk]
    do_send_reply(conversation=mail, author=lead, text="Answered", channel="email")
    assert _ids(client, "?sort=sla_due") == [sms.pk, other.pk, mail.pk]
    assert _ids(client, "?sort=longest_waiting") == [sms.pk, other.pk, mail.pk]
    body = client.get("/api/v1/conversations/?sort=sla_due&page_size=2").json()
    assert [c["id"] for c in body["results"]] == [sms.pk, other.pk]
    assert [c["id"] for c in client.get(body["next"]).json()["results"]] == [mail.pk]


def test_updated_since(three, client_for, lead):
    mail = three[1]
    cutoff = timezone.now()
    do_update_conversation(mail, by=lead, changes={"priority": 0})
    stamp = cutoff.isoformat()
    assert _ids(client_for(lead), f"?updated_since={stamp.replace('+', '%2B')}") == [mail.pk]
    # An unencoded "+" arrives as a space and still parses.
    assert _ids(client_for(lead), f"?updated_since={stamp}") == [mail.pk]


@pytest.mark.parametrize("query,param,message", [
    ("?status=closed", "status",
     "unknown value 'closed'; expected one of open, pending, snoozed, resolved"),
    ("?used_channel=fax", "used_channel",
     "unknown value 'fax'; expected one of email, chat, sms, whatsapp, voice, api, pigeon"),
    ("?waiting_channel=internal", "waiting_channel",
     "unknown value 'internal'; expected one of email, chat, sms, whatsapp, voice, api, pigeon"),
    ("?channel=sms", "channel", "ambiguous: use waiting_channel (the channel the customer "
     "waits on) or used_channel (any channel the conversation used)"),
    ("?team=x", "team", "must be a number, got 'x'"),
    ("?team=0", "team", "must be an id from 1 to 9223372036854775807, got 0"),
    ("?assignee=someone", "assignee", "must be a number, got 'someone'"),
    ("?assignee=-1", "assignee", "must be an id from 1 to 9223372036854775807, got -1"),
    ("?customer=9223372036854775808", "customer",
     "must be an id from 1 to 9223372036854775807, got 9223372036854775808"),
    ("?inbox=abc", "inbox", "must be a number, got 'abc'"),
    ("?priority=9", "priority",
     "unknown value '9'; expected one of low, normal, high, urgent, 0, 1, 2, 3"),
    ("?updated_since=yesterday", "updated_since",
     "must be an ISO 8601 datetime, got 'yesterday'"),
    ("?customer=abc", "customer", "must be a number, got 'abc'"),
    ("?view=everything", "view",
     "must be one of mine, unassigned, my_teams, all, got 'everything'"),
    ("?sort=oldest", "sort",
     "must be one of last_activity, sla_due, longest_waiting, got 'oldest'"),
    ("?page_size=201", "page_size", "must be from 1 to 200"),
    ("?page_size=0", "page_size", "must be from 1 to 200"),
    ("?count=maybe", "count", "must be true or false, got 'maybe'"),
    ("?page=2", "page", "this list pages by cursor: follow `next`"),
])
def test_bad_filter_is_a_400_naming_the_parameter(query, param, message, client_for, lead):
    response = client_for(lead).get(f"/api/v1/conversations/{query}")
    assert response.status_code == 400
    assert response.json() == {param: [message]}


def test_pages_follow_next_to_the_end_without_a_count(three, email_inbox, client_for, lead):
    for n in range(4):
        do_record_inbound(inbound(email_inbox, "email", "email", f"p{n}@example.com", "hi",
                                  provider_id=f"<p{n}@x>"))
    client = client_for(lead)
    everything = _ids(client, "?page_size=200")
    assert everything == list(
        Conversation.objects.order_by("-last_activity_at", "-id").values_list("pk", flat=True))
    seen, url, pages = [], "/api/v1/conversations/?page_size=3&status=open", 0
    while url:
        body = client.get(url).json()
        assert "count" not in body
        seen += [c["id"] for c in body["results"]]
        url, pages = body["next"], pages + 1
        if url:
            assert "status=open" in url and "page_size=3" in url
    opened = list(Conversation.objects.filter(status="open")
                  .order_by("-last_activity_at", "-id").values_list("pk", flat=True))
    assert (seen, pages) == (opened, 2)  # 5 open: 3 + 2
    counted = client.get("/api/v1/conversations/?page_size=3&status=open&count=true").json()
    assert counted["count"] == 5
    assert len(counted["results"]) == 3


def test_a_tampered_or_foreign_cursor_is_a_400(three, client_for, lead):
    client = client_for(lead)
    next_url = client.get("/api/v1/conversations/?page_size=1").json()["next"]
    cursor = parse_qs(urlsplit(next_url).query)["cursor"][0]
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    for params in ({"cursor": tampered}, {"cursor": cursor, "sort": "sla_due"},
                   {"cursor": cursor + "x"}, {"cursor": "x" * 301}):
        response = client.get("/api/v1/conversations/", params)
        assert response.status_code == 400
        assert response.json() == {"cursor": ["is not a cursor of this list"]}
    assert client.get("/api/v1/conversations/", {"cursor": cursor}).status_code == 200


def test_list_query_count_does_not_grow_and_counts_nothing(
    three, email_inbox, session_client, lead, agent_a, django_assert_num_queries
):
    for n in range(5):
        do_record_inbound(inbound(email_inbox, "email", "email", f"c{n}@example.com", "hi",
                                  provider_id=f"<c{n}@x>"))
    client = session_client(lead)
    # session, user, agent, page (customer, team and assignee joined).
    with django_assert_num_queries(4):
        small = client.get("/api/v1/conversations/", {"page_size": 2})
    with django_assert_num_queries(4):
        large = client.get("/api/v1/conversations/", {"page_size": 50})
    with django_assert_num_queries(4):
        client.get(small.json()["next"])
    with django_assert_num_queries(4):
        client.get("/api/v1/conversations/", {"sort": "sla_due", "used_channel": "email",
                                              "waiting_channel": "email", "tag": "x"})
    # ... and one more for a total, only when asked.
    with django_assert_num_queries(5):
        client.get("/api/v1/conversations/", {"count": "true"})
    # An agent's teams are read once more.
    agent_client = session_client(agent_a)
    with django_assert_num_queries(5):
        agent_client.get("/api/v1/conversations/", {"page_size": 50})
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/conversations/", {"page_size": 50})
    assert not [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(small.json()["results"]) == 2
    assert len(large.json()["results"]) == Conversation.objects.count() == 8
    row = next(c for c in large.json()["results"] if c["id"] == three[0].pk)
    assert row["assignee"] == {"id": agent_a.pk, "username": "agent_a", "name": "agent_a"}
    assert row["team"]["name"] == "Team A"
    assert row["tags"] == ["refund", "vip"]
    assert row["channels"] == ["sms"]
