"""The conversation list of the read layer, without HTTP: typed filters, domain errors,
pages, and a query count that does not grow with the rows."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from rest_framework.exceptions import ValidationError

from conversations.actions.ingest import do_record_inbound
from conversations.actions.update import do_update_conversation
from conversations.keyset import PageRequest
from conversations.models import Conversation
from conversations.payloads import (
    CONVERSATION_VALUES,
    conversation_payload,
    conversation_payload_from_values,
)
from conversations.queries import (
    ConversationFilters,
    ConversationSort,
    ConversationView,
    InvalidFilter,
    conversation_list,
    count_conversations,
)
from tests.factories import inbound

pytestmark = pytest.mark.django_db


def test_filters_parse_from_a_plain_mapping_into_a_frozen_typed_object():
    filters = ConversationFilters.parse({
        "view": "my_teams", "status": "open,pending,open", "waiting_channel": "chat",
        "used_channel": "sms,voice", "team": "none", "assignee": "me", "customer": "12",
        "inbox": "3", "priority": "urgent,1", "tag": " vip ", "sort": "sla_due",
        "updated_since": "2026-05-01T10:00:00",
    })
    assert filters == ConversationFilters(
        view=ConversationView.MY_TEAMS, statuses=("open", "pending"),
        waiting_channels=("chat",), used_channels=("sms", "voice"), team="none",
        assignee="me", customer=12, inbox=3, priorities=(3, 1), tag="vip",
        updated_since=datetime(2026, 5, 1, 10, tzinfo=UTC), sort=ConversationSort.SLA_DUE,
    )
    assert ConversationFilters.parse({}) == ConversationFilters()
    with pytest.raises(dataclasses.FrozenInstanceError):
        filters.tag = "other"  # type: ignore[misc]


@pytest.mark.parametrize(("params", "param"), [
    ({"customer": str(2**63)}, "customer"),
    ({"customer": "-4"}, "customer"),
    ({"team": "0"}, "team"),
    ({"assignee": str(10**30)}, "assignee"),
    ({"inbox": "1.5"}, "inbox"),
    ({"status": "open,gone"}, "status"),
    ({"tag": "a\x00b"}, "tag"),
    ({"tag": "x" * 51}, "tag"),
    ({"channel": "sms"}, "channel"),
])
def test_a_bad_value_is_a_domain_error_naming_the_parameter(params, param):
    with pytest.raises(InvalidFilter) as caught:
        ConversationFilters.parse(params)
    assert caught.value.param == param
    assert not isinstance(caught.value, ValidationError)


def test_view_all_is_for_leads_and_admins(conversation_a, agent_a, lead):
    everything = ConversationFilters(view=ConversationView.ALL)
    with pytest.raises(InvalidFilter) as caught:
        conversation_list(agent_a, everything, PageRequest())
    assert caught.value.param == "view"
    assert [c["id"] for c in conversation_list(lead, everything, PageRequest()).items] == [
        conversation_a.pk]


def test_pages_chain_by_cursor_and_count_only_when_asked(conversation_a, twilio_inbox, lead):
    for n in range(4):
        do_record_inbound(inbound(twilio_inbox, "sms", "phone", f"+1415555020{n}", "hi",
                                  provider_id=f"SM-p{n}"))
    first = conversation_list(lead, ConversationFilters(), PageRequest(size=3))
    assert first.total is None and first.next_cursor is not None
    second = conversation_list(lead, ConversationFilters(),
                               PageRequest(cursor=first.next_cursor, size=3, with_total=True))
    assert (len(second.items), second.next_cursor, second.total) == (2, None, 5)
    ids = [c["id"] for c in first.items + second.items]
    assert len(set(ids)) == 5
    assert count_conversations(lead, ConversationFilters(statuses=("open",))) == 5


def _conversations(inbox, count, start=0):
    for n in range(start, start + count):
        result = do_record_inbound(inbound(inbox, "sms", "phone", f"+1415555{n:04d}", "hi",
                                           provider_id=f"SM-q{n}"))
        do_update_conversation(result.conversation, by=None, changes={"tags": ["vip"]})


@pytest.mark.parametrize(("persona", "queries"), [
    ("lead", 2),  # agent, page (customer, team and assignee joined)
    ("agent_a", 3),  # agent, teams, page
])
def test_query_count_is_pinned_and_independent_of_rows(
    persona, queries, request, twilio_inbox, fresh, django_assert_num_queries
):
    user = request.getfixturevalue(persona)
    filters = ConversationFilters(sort=ConversationSort.LONGEST_WAITING, tag="vip",
                                  used_channels=("sms",), waiting_channels=("sms",))
    _conversations(twilio_inbox, 2)
    as_new = fresh(user)
    with django_assert_num_queries(queries):
        few = conversation_list(as_new, filters, PageRequest(size=50))
    _conversations(twilio_inbox, 12, start=2)
    as_new = fresh(user)
    with django_assert_num_queries(queries):
        many = conversation_list(as_new, filters, PageRequest(size=50))
    as_new = fresh(user)
    with django_assert_num_queries(queries):
        paged = conversation_list(as_new, filters, PageRequest(size=5))
    as_new = fresh(user)
    with django_assert_num_queries(queries):
        conversation_list(as_new, filters, PageRequest(cursor=paged.next_cursor, size=5))
    assert (len(few.items), len(many.items)) == (2, 14)
    with django_assert_num_queries(0):  # everything a payload reads came with the page
        payloads = [conversation_payload_from_values(row) for row in many.items]
    assert len(payloads) == 14
    # The same payloads as from the model instances (and their relations).
    from_models = [conversation_payload(Conversation.objects.get(pk=p["id"])) for p in payloads]
    assert payloads == from_models


def test_payloads_from_values_are_the_payloads_of_the_instances(twilio_inbox, agent_a, lead,
                                                                  team_b):
    """Assigned (with and without a full name), in a team or none, with a running SLA clock
    or without one: the list's rows give the payload the instances give."""
    made = [do_record_inbound(inbound(twilio_inbox, "sms", "phone", f"+1415555030{n}", "hi",
                                      provider_id=f"SM-v{n}")).conversation for n in range(3)]
    agent_a.first_name, agent_a.last_name = "Ann", "Agent"
    agent_a.save()
    do_update_conversation(made[0], by=lead, changes={"assignee": agent_a, "tags": ["vip"]})
    do_update_conversation(made[1], by=lead, changes={"assignee": lead, "team": team_b,
                                                     "status": "snoozed",
                                                     "snoozed_until": datetime(2030, 1, 1,
                                                                               tzinfo=UTC)})
    Conversation.objects.filter(pk=made[2].pk).update(team=None)
    made[2].sla_clock.delete()
    rows = Conversation.objects.filter(pk__in=[c.pk for c in made]).values(*CONVERSATION_VALUES)
    by_values = {row["id"]: conversation_payload_from_values(row) for row in rows}
    by_model = {c.pk: conversation_payload(Conversation.objects.get(pk=c.pk)) for c in made}
    assert by_values == by_model
    assert by_model[made[0].pk]["assignee"]["name"] == "Ann Agent"
    assert by_model[made[0].pk]["sla"] is not None and by_model[made[2].pk]["sla"] is None
    assert by_model[made[2].pk]["team"] is None
