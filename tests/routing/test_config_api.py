"""Routing configuration through the API: admins write, leads read, agents neither;
validated; capacity changes take waiters through the action."""

from __future__ import annotations

import pytest

from agents.models import Agent
from jobs.models import Job
from routing.models import BusinessHours, RoutingRule, SLAPolicy

pytestmark = pytest.mark.django_db

HOURS = {"name": "Office", "timezone": "Europe/Berlin",
         "weekly_hours": {"mon": [["09:00", "17:00"]]}, "holiday_country": "DE",
         "holiday_subdivision": "", "closed_dates": ["2026-12-24"]}


def test_admins_write_leads_read_agents_neither(admin_user, lead, agent_a, client_for):
    admin, reader, agent = client_for(admin_user), client_for(lead), client_for(agent_a)
    created = admin.post("/api/v1/business-hours/", HOURS, format="json")
    assert created.status_code == 201
    hours_id = created.json()["id"]
    policy = admin.post("/api/v1/sla-policies/", {
        "name": "Chat", "channel": "chat", "first_response_seconds": 40,
        "business_hours": hours_id}, format="json")
    assert policy.status_code == 201
    rule = admin.post("/api/v1/routing-rules/", {
        "name": "Refunds", "conditions": {"keywords": ["refund"]}, "add_tags": ["billing"]},
        format="json")
    assert rule.status_code == 201
    for path in ("/api/v1/business-hours/", "/api/v1/sla-policies/", "/api/v1/routing-rules/",
                 "/api/v1/agent-routing/", "/api/v1/team-routing/"):
        assert reader.get(path).status_code == 200, path
        assert agent.get(path).status_code == 403, path
    assert reader.post("/api/v1/routing-rules/", {"name": "x"}, format="json").status_code == 403
    assert (BusinessHours.objects.count(), SLAPolicy.objects.get().warn_percent,
            RoutingRule.objects.get().add_tags) == (1, 75, ["billing"])


def test_what_is_refused(admin_user, client_for):
    admin = client_for(admin_user)
    bad_hours = admin.post("/api/v1/business-hours/", {**HOURS, "weekly_hours": {
        "mon": [["17:00", "09:00"]]}}, format="json")
    assert bad_hours.status_code == 400
    assert admin.post("/api/v1/business-hours/", {**HOURS, "timezone": "Mars/Base"},
                      format="json").status_code == 400
    bad_rule = admin.post("/api/v1/routing-rules/", {
        "name": "x", "conditions": {"colour": ["red"]}}, format="json")
    assert (bad_rule.status_code, bad_rule.json()) == (
        400, {"conditions": ["unknown condition 'colour'"]})
    assert admin.post("/api/v1/sla-policies/", {
        "name": "x", "first_response_seconds": 10, "warn_percent": 100},
        format="json").status_code == 400


def test_capacities_through_the_action_queue_assignment(admin_user, agent_a, team_a,
                                                         client_for):
    admin = client_for(admin_user)
    answer = admin.patch(f"/api/v1/agent-routing/{agent_a.pk}/",
                         {"capacities": {"chat": 5}, "languages": ["de", "en"]}, format="json")
    assert answer.status_code == 200
    assert answer.json()["capacities"] == {"chat": 5}
    assert Agent.objects.get(user=agent_a).languages == ["de", "en"]
    assert [j.args for j in Job.objects.filter(task="routing.tasks.assign_team_task")] == [
        [team_a.pk]]
    refused = admin.patch(f"/api/v1/agent-routing/{agent_a.pk}/",
                          {"capacities": {"chat": -1}}, format="json")
    assert refused.status_code == 400
    team = admin.patch(f"/api/v1/team-routing/{team_a.pk}/",
                       {"assignment_mode": "least_busy"}, format="json")
    assert (team.status_code, team.json()["assignment_mode"]) == (200, "least_busy")
