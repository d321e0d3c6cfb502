"""Teams, agents, canned responses and macros, changed through their apps' actions."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from agents.models import Agent, Role, Team
from macros.models import CannedResponse, Macro


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_an_admin_creates_and_renames_a_team(admin_client, team_a):
    assert admin_client.post(reverse("settings-team-new"), {"name": "Billing"}).status_code == 302
    team = Team.objects.get(name="Billing")
    assert team.slug == "billing"
    response = admin_client.post(reverse("settings-team", args=[team.pk]),
                                 {"name": "Team A", "slug": "billing"})
    assert response.status_code == 400
    assert "A team called “Team A” exists already." in response.content.decode()
    admin_client.post(reverse("settings-team", args=[team.pk]),
                      {"name": "Billing EU", "slug": "billing-eu"})
    team.refresh_from_db()
    assert (team.name, team.slug) == ("Billing EU", "billing-eu")


def test_an_admin_sets_an_agents_role_and_teams(admin_client, agent_a, team_a, team_b):
    agent = Agent.objects.get(user=agent_a)
    response = admin_client.post(reverse("settings-agent", args=[agent.pk]),
                                 {"role": "lead", "teams": [team_b.pk]})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.role == Role.LEAD
    assert list(agent.teams.all()) == [team_b]


def test_an_admin_cannot_demote_themself(admin_client, admin_user):
    agent = Agent.objects.get(user=admin_user)
    response = admin_client.post(reverse("settings-agent", args=[agent.pk]), {"role": "agent"})
    assert response.status_code == 400
    agent.refresh_from_db()
    assert agent.role == Role.ADMIN


def test_the_agent_list_takes_a_fixed_number_of_queries(admin_client, agent_a, agent_b, lead,
                                                         django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        page = admin_client.get(reverse("settings-agents")).content.decode()
    assert all(name in page for name in ("agent_a", "agent_b", "lead", "admin"))


def test_an_admin_writes_a_shared_canned_response(admin_client, team_a, agent_a):
    personal = CannedResponse.objects.create(name="Mine", shortcut="mine", body="x",
                                             owner=agent_a)
    response = admin_client.post(reverse("settings-canned-new"), {
        "name": "Refund policy", "shortcut": "refund", "body": "Hi {{ customer.first_name }}",
        "team": team_a.pk})
    assert response.status_code == 302
    item = CannedResponse.objects.get(shortcut="refund")
    assert (item.owner, item.team, item.body) == (None, team_a, "Hi {{ customer.first_name }}")
    page = admin_client.get(reverse("settings-canned")).content.decode()
    assert "Refund policy" in page and "Mine" not in page
    assert admin_client.get(reverse("settings-canned-edit", args=[personal.pk])).status_code == 404
    admin_client.post(reverse("settings-canned-delete", args=[item.pk]))
    assert not CannedResponse.objects.filter(pk=item.pk).exists()


def test_a_macro_is_validated_by_the_macros_app(admin_client):
    response = admin_client.post(reverse("settings-macros-new"), {
        "name": "Close", "actions": '[{"type": "explode"}]'})
    assert response.status_code == 400
    assert "step 1: type must be one of" in response.content.decode()
    response = admin_client.post(reverse("settings-macros-new"), {
        "name": "Close", "actions": "[{"})
    assert response.status_code == 400
    assert "not valid JSON" in response.content.decode()
    steps = [{"type": "add_tags", "tags": ["refund"]}, {"type": "status", "status": "resolved"}]
    response = admin_client.post(reverse("settings-macros-new"), {
        "name": "Close", "description": "Tag and resolve", "actions": json.dumps(steps)})
    assert response.status_code == 302
    macro = Macro.objects.get()
    assert (macro.name, macro.team, macro.owner) == ("Close", None, None)
    assert macro.actions == [{"type": "add_tags", "tags": ["refund"]},
                             {"type": "status", "status": "resolved"}]
