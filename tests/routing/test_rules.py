"""Routing rules: ordered, first match wins, per-inbox defaults, conditions and actions,
the decision on the timeline naming the rule, channel switches when the rule says."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from agents.models import Team
from conversations.actions.ingest import do_record_inbound
from conversations.models import Conversation, Interaction
from customers.actions.profile import do_add_identity
from routing.actions.rules import do_route
from routing.models import BusinessHours, RoutingRule
from routing.rules import facts_of, first_match
from tests.factories import inbound

pytestmark = pytest.mark.django_db


def _mail(inbox, text: str, sender: str = "ana@example.com", subject: str = ""):
    return do_record_inbound(inbound(inbox, "email", "email", sender, text, subject=subject))


def _routed(conversation) -> list[str]:
    return list(Interaction.objects.filter(conversation=conversation, event_type="routed")
                .order_by("id").values_list("text", flat=True))


def test_the_first_matching_rule_wins_and_its_actions_apply(email_inbox, team_b, agent_b):
    RoutingRule.objects.create(name="Refunds", position=1, conditions={"keywords": ["refund"]},
                               set_team=team_b, set_priority=2, add_tags=["billing"])
    RoutingRule.objects.create(name="Everything", position=2, set_agent=agent_b)
    result = _mail(email_inbox, "I want a REFUND please", subject="Order 12")
    assert do_route(result.conversation.pk, result.interaction.pk, created=True).name == "Refunds"
    conversation = Conversation.objects.get(pk=result.conversation.pk)
    assert (conversation.team_id, conversation.priority, conversation.tags,
            conversation.assignee_id) == (team_b.pk, 2, ["billing"], None)
    assert _routed(conversation) == ["Routing rule “Refunds” matched (found “refund”)"]

    other = _mail(email_inbox, "Hello", sender="bo@example.com")
    assert do_route(other.conversation.pk, other.interaction.pk, created=True).name == (
        "Everything")
    assert Conversation.objects.get(pk=other.conversation.pk).assignee_id == agent_b.pk
    assert _routed(other.conversation) == ["Routing rule “Everything” matched (no conditions)"]


def test_a_follow_up_in_the_same_channel_is_not_routed_again(email_inbox, team_b):
    RoutingRule.objects.create(name="All", set_team=team_b, run_on_channel_switch=True)
    first = _mail(email_inbox, "Hello")
    follow_up = _mail(email_inbox, "Anyone?")
    assert follow_up.conversation.pk == first.conversation.pk
    assert do_route(follow_up.conversation.pk, follow_up.interaction.pk, created=False) is None


def test_a_channel_switch_runs_the_rules_that_say_so(chat_inbox, email_inbox, team_b):
    RoutingRule.objects.create(name="Chat to email desk", conditions={"channels": ["email"]},
                               set_team=team_b, run_on_channel_switch=True)
    chat = do_record_inbound(inbound(chat_inbox, "chat", "chat", "visitor-cy", "Hi"))
    do_add_identity(chat.conversation.customer, "email", "cy@example.com")
    mail = _mail(email_inbox, "Continuing by mail", sender="cy@example.com")
    assert mail.conversation.pk == chat.conversation.pk
    assert do_route(mail.conversation.pk, mail.interaction.pk, created=False).name == (
        "Chat to email desk")
    assert Conversation.objects.get(pk=chat.conversation.pk).team_id == team_b.pk


def test_inbox_customer_language_priority_and_hours_conditions(email_inbox, api_inbox, team_b):
    hours = BusinessHours.objects.create(
        name="Weekdays", timezone="UTC", weekly_hours={"mon": [["09:00", "17:00"]]})
    RoutingRule.objects.create(name="Other inbox", position=1, inbox=api_inbox,
                               set_team=team_b)
    RoutingRule.objects.create(
        name="Gold Germans after hours", position=2, set_team=team_b,
        conditions={"customer_tags": ["vip"], "customer_attributes": {"tier": "gold"},
                    "languages": ["de"], "priorities": [1],
                    "business_hours": {"id": hours.pk, "inside": False}})
    result = _mail(email_inbox, "Hallo")
    customer = result.conversation.customer
    customer.tags, customer.attributes, customer.language = ["vip"], {"tier": "gold"}, "de"
    customer.save()
    conversation = Conversation.objects.select_related("customer").get(pk=result.conversation.pk)
    with time_machine.travel(datetime(2026, 6, 1, 20, 0, tzinfo=UTC), tick=False):  # Monday
        rule, verdicts = first_match(facts_of(conversation, result.interaction))
    assert rule is not None and rule.name == "Gold Germans after hours"
    # The other inbox's rule is not even looked at.
    assert [(v.rule.name, v.matched) for v in verdicts] == [("Gold Germans after hours", True)]
    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=UTC), tick=False):
        rule, verdicts = first_match(facts_of(conversation, result.interaction))
    assert rule is None
    assert verdicts[0].checks[-1] == ("business_hours", False, "inside Weekdays")
    assert [name for name, ok, _why in verdicts[0].checks if ok] == [
        "customer_tags", "customer_attributes", "languages", "priorities"]


def test_the_dry_run_api_explains(email_inbox, team_b: Team, admin_user, lead, agent_a,
                                  client_for):
    RoutingRule.objects.create(name="Refunds", conditions={"keywords": ["refund"]},
                               set_team=team_b)
    conversation = _mail(email_inbox, "Where is my parcel?").conversation
    answer = client_for(lead).get(f"/api/v1/routing-rules/dry-run/{conversation.pk}/")
    assert answer.status_code == 200
    assert answer.json() == {
        "conversation": conversation.pk,
        "matched": None,
        "rules": [{"id": RoutingRule.objects.get().pk, "name": "Refunds", "matched": False,
                   "checks": [{"condition": "keywords", "ok": False,
                               "why": "none of “refund” in subject or text"}]}],
    }
    assert client_for(agent_a).get(
        f"/api/v1/routing-rules/dry-run/{conversation.pk}/").status_code == 403
    assert RoutingRule.objects.count() == 1
