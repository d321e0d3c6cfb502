"""Settings → Routing rules, SLA policies, business hours, agents' and teams' routing:
admins only, each form validated by the API's serializer and written by the actions."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from agents.models import Agent
from consoles.routing_forms import RuleForm
from conversations.actions.ingest import do_record_inbound
from conversations.models import Inbox
from routing.actions.config import do_reorder_rules
from routing.models import BusinessHours, RoutingRule, SLAPolicy
from routing.rules import CONDITIONS, validate_conditions
from tests.factories import inbound

pytestmark = pytest.mark.django_db

PAGES = ["settings-routing", "settings-rule-new", "settings-sla", "settings-sla-new",
         "settings-hours", "settings-hours-new"]


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rule_post(**extra: Any) -> dict[str, Any]:
    return {"name": "Refunds", "active": "on", "channels": ["email"],
            "keywords": "refund, money back", "set_team": "", "set_priority": "",
            "inside_hours": "1", **extra}


@pytest.mark.parametrize("name", PAGES)
def test_only_admins_open_routing_settings(name, admin_user, lead, agent_a):
    assert client_for(admin_user).get(reverse(name)).status_code == 200
    assert client_for(lead).get(reverse(name)).status_code == 403
    assert client_for(agent_a).get(reverse(name)).status_code == 403


def test_an_admin_creates_a_rule_from_the_form(admin_user, team_b):
    response = client_for(admin_user).post(reverse("settings-rule-new"), rule_post(
        set_team=team_b.pk, set_priority="2", add_tags="billing, refund",
        customer_attributes="tier = gold", languages="en"))
    assert response.status_code == 302
    rule = RoutingRule.objects.get()
    assert rule.conditions == {"channels": ["email"], "keywords": ["refund", "money back"],
                               "languages": ["en"], "customer_attributes": {"tier": "gold"}}
    assert (rule.set_team_id, rule.set_priority, rule.add_tags, rule.position) == (
        team_b.pk, 2, ["billing", "refund"], 10)


def test_the_rule_form_offers_every_condition_routing_checks(email_inbox):
    """Each condition routing.rules evaluates can be set from the form, and what the
    form makes of it is what the API validates."""
    hours = BusinessHours.objects.create(name="Office")
    second = Inbox.objects.create(name="Sales mail", kind="email", slug="sales-mail")
    form = RuleForm({**rule_post(), "inbox_ids": [second.pk, email_inbox.pk],
                     "customer_tags": "vip", "customer_attributes": "tier=gold",
                     "languages": "en, fr", "priorities": ["2", "3"],
                     "business_hours": hours.pk, "inside_hours": "0"})
    assert form.is_valid(), form.errors
    conditions = form.data_for_api()["conditions"]
    assert set(conditions) == set(CONDITIONS)
    assert conditions["inbox_ids"] == sorted([email_inbox.pk, second.pk])
    assert conditions["business_hours"] == {"id": hours.pk, "inside": False}
    assert validate_conditions(conditions) == []
    # And back: a saved rule's conditions fill the form again.
    rule = RoutingRule.objects.create(name="All", conditions=conditions)
    again = RuleForm(rule=rule)
    assert again.initial["inbox_ids"] == conditions["inbox_ids"]
    assert again.initial["priorities"] == [2, 3]


def test_an_admin_picks_the_inboxes_a_rule_applies_to(admin_user, email_inbox, team_b):
    second = Inbox.objects.create(name="Sales mail", kind="email", slug="sales-mail")
    client = client_for(admin_user)
    response = client.post(reverse("settings-rule-new"), rule_post(
        inbox_ids=[email_inbox.pk, second.pk], set_team=team_b.pk))
    assert response.status_code == 302
    rule = RoutingRule.objects.get()
    assert rule.conditions["inbox_ids"] == sorted([email_inbox.pk, second.pk])
    assert rule.inbox_id is None  # the rule's own scope stays "every inbox"
    form = client.get(reverse("settings-rule", args=[rule.pk])).content.decode()
    assert f'name="inbox_ids" value="{second.pk}"' in form
    assert form.count('name="inbox_ids"') == Inbox.objects.count()
    page = client.get(reverse("settings-routing")).content.decode()
    assert f"<strong>Inbox</strong> {email_inbox.name}, Sales mail" in page
    # The dry run: a conversation from the first inbox matches.
    conv = do_record_inbound(inbound(email_inbox, "email", "email", "ana@example.com",
                                     "I want a refund")).conversation
    dry = client.get(reverse("settings-routing") + f"?conversation={conv.pk}").content.decode()
    assert "“Refunds” matches." in dry


def test_a_bad_rule_is_refused_with_the_reason(admin_user):
    client = client_for(admin_user)
    response = client.post(reverse("settings-rule-new"),
                           rule_post(customer_attributes="no equals sign"))
    assert response.status_code == 400
    assert "is not name=value" in response.content.decode()
    RoutingRule.objects.create(name="Refunds")
    response = client.post(reverse("settings-rule-new"), rule_post())
    assert response.status_code == 400  # the serializer's unique name check
    assert "already exists" in response.content.decode()
    assert RoutingRule.objects.count() == 1


def test_rules_move_up_and_down(admin_user):
    a, b, c = (RoutingRule.objects.create(name=n, position=p)
               for n, p in (("A", 10), ("B", 20), ("C", 30)))
    client = client_for(admin_user)
    client.post(reverse("settings-rule-move", args=[c.pk]), {"direction": "up"})
    assert list(RoutingRule.objects.values_list("name", flat=True)) == ["A", "C", "B"]
    client.post(reverse("settings-rule-move", args=[a.pk]), {"direction": "down"})
    assert list(RoutingRule.objects.values_list("name", "position")) == [
        ("C", 10), ("A", 20), ("B", 30)]
    client.post(reverse("settings-rule-move", args=[c.pk]), {"direction": "up"})  # first
    assert list(RoutingRule.objects.values_list("name", flat=True)) == ["C", "A", "B"]
    assert client.get(reverse("settings-rule-move", args=[c.pk])).status_code == 405
    page = client.get(reverse("settings-routing")).content.decode()
    assert page.index(f'data-rule="{c.pk}"') < page.index(f'data-rule="{a.pk}"') < page.index(
        f'data-rule="{b.pk}"')


def test_rules_reorder_as_dragged(admin_user):
    a, b, c, d = (RoutingRule.objects.create(name=n, position=p)
                  for n, p in (("A", 10), ("B", 20), ("C", 30), ("D", 40)))
    client = client_for(admin_user)
    url = reverse("settings-rules-reorder")
    response = client.post(url, {"order": f"{c.pk},{a.pk},{d.pk},{b.pk}"},
                           HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 200
    assert response.json() == {"order": [c.pk, a.pk, d.pk, b.pk]}
    assert list(RoutingRule.objects.values_list("name", "position")) == [
        ("C", 10), ("A", 20), ("D", 30), ("B", 40)]
    # Without the script: back to the list.
    response = client.post(url, {"order": f"{a.pk},{b.pk},{c.pk},{d.pk}"})
    assert response.status_code == 302
    assert list(RoutingRule.objects.values_list("name", flat=True)) == ["A", "B", "C", "D"]
    for bad in ("", "1,x", "-1"):
        assert client.post(url, {"order": bad}).status_code == 400
    assert client.get(url).status_code == 405


def test_a_reorder_keeps_rules_the_page_did_not_know(admin_user):
    """A rule added after the page was drawn, and an id deleted since, do not break the
    order: the listed rules come first as dragged, the others after, in their order."""
    a, b, c = (RoutingRule.objects.create(name=n, position=p)
               for n, p in (("A", 10), ("B", 20), ("C", 30)))
    late = RoutingRule.objects.create(name="Late", position=40)
    assert do_reorder_rules([c.pk, 999_999, a.pk, c.pk], by=None) == [c.pk, a.pk, b.pk, late.pk]
    assert list(RoutingRule.objects.values_list("name", "position")) == [
        ("C", 10), ("A", 20), ("B", 30), ("Late", 40)]


def test_only_admins_reorder_rules(lead, agent_a):
    rule = RoutingRule.objects.create(name="A", position=10)
    for user in (lead, agent_a):
        response = client_for(user).post(reverse("settings-rules-reorder"),
                                         {"order": str(rule.pk)})
        assert response.status_code == 403


def test_a_dry_run_names_the_matching_rule_and_why(admin_user, email_inbox, team_b):
    RoutingRule.objects.create(name="Chat only", position=10, conditions={"channels": ["chat"]})
    RoutingRule.objects.create(name="Refunds", position=20,
                               conditions={"keywords": ["refund"]}, set_team=team_b)
    conv = do_record_inbound(inbound(email_inbox, "email", "email", "ana@example.com",
                                     "I want a refund")).conversation
    page = client_for(admin_user).get(
        reverse("settings-routing") + f"?conversation={conv.pk}").content.decode()
    assert "“Refunds” matches." in page
    assert "Chat only</strong> does not match" in page
    assert "Nothing was changed." in page
    missing = client_for(admin_user).get(reverse("settings-routing") + "?conversation=999999")
    assert "No such conversation." in missing.content.decode()


def test_an_admin_saves_an_sla_policy_in_minutes(admin_user):
    client = client_for(admin_user)
    response = client.post(reverse("settings-sla-new"), {
        "name": "Chat fast", "active": "on", "channel": "chat", "priority": "",
        "first_response_minutes": "2", "warn_percent": "80", "pause_outside_hours": "on"})
    assert response.status_code == 302
    policy = SLAPolicy.objects.get()
    assert (policy.channel, policy.first_response_seconds, policy.next_response_seconds,
            policy.warn_percent, policy.escalate_notify_lead) == ("chat", 120, None, 80, False)
    response = client.post(reverse("settings-sla-edit", args=[policy.pk]), {
        "name": "Chat fast", "channel": "chat", "first_response_minutes": "",
        "warn_percent": "80"})
    assert response.status_code == 400
    assert SLAPolicy.objects.get().first_response_seconds == 120


def test_an_admin_saves_business_hours_with_holidays(admin_user):
    client = client_for(admin_user)
    response = client.post(reverse("settings-hours-new"), {
        "name": "Paris office", "timezone": "Europe/Paris", "holiday_country": "fr",
        "mon_hours": "09:00-12:30, 13:30-18:00", "fri_hours": "09:00-17:00",
        "closed_dates": "2026-12-24\n2026-12-31"})
    assert response.status_code == 302
    hours = BusinessHours.objects.get()
    assert hours.weekly_hours == {"mon": [["09:00", "12:30"], ["13:30", "18:00"]],
                                  "fri": [["09:00", "17:00"]]}
    assert (hours.timezone, hours.holiday_country, hours.closed_dates) == (
        "Europe/Paris", "FR", ["2026-12-24", "2026-12-31"])
    response = client.post(reverse("settings-hours-edit", args=[hours.pk]), {
        "name": "Paris office", "timezone": "Mars/Olympus", "mon_hours": "09:00-17:00"})
    assert response.status_code == 400
    assert BusinessHours.objects.get().timezone == "Europe/Paris"


def test_an_admin_sets_an_agents_and_a_teams_routing(admin_user, agent_a, team_a):
    client = client_for(admin_user)
    response = client.post(reverse("settings-agent-routing", args=[agent_a.agent.pk]), {
        "skills": "billing", "languages": "en, fr", "capacity_chat": "2"})
    assert response.status_code == 302
    agent = Agent.objects.get(pk=agent_a.agent.pk)
    assert (agent.skills, agent.languages, agent.capacities) == (
        ["billing"], ["en", "fr"], {"chat": 2})
    response = client.post(reverse("settings-team-routing", args=[team_a.pk]), {
        "assignment_mode": "least_busy", "capacity_email": "5"})
    assert response.status_code == 302
    team_a.refresh_from_db()
    assert (team_a.assignment_mode, team_a.capacities) == ("least_busy", {"email": 5})
    response = client.post(reverse("settings-team-routing", args=[team_a.pk]), {
        "assignment_mode": "random"})
    assert response.status_code == 400
