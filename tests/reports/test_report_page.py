"""The report page, its CSV files and /api/v1/reports/: leads see their teams', admins
everyone's, agents nothing; the figures are the rollup's."""

from __future__ import annotations

import csv
import io

from django.test import Client
from django.urls import reverse

from agents.models import Agent
from reports.actions.rollup import do_roll_up_day
from tests.conftest import api_client_for
from tests.reports.conftest import MONDAY, SUNDAY

MONDAY_ONLY = {"from": MONDAY.isoformat(), "to": MONDAY.isoformat()}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def roll_up() -> None:
    do_roll_up_day(SUNDAY)
    do_roll_up_day(MONDAY)


def test_agents_and_outsiders_get_no_report(agent_a, outsider):
    for user in (agent_a, outsider):
        assert signed_in(user).get(reverse("reports")).status_code == 403
        assert api_client_for(user).get("/api/v1/reports/summary/").status_code == 403
    assert Client().get(reverse("reports")).status_code == 302


def test_the_page_shows_the_days_figures(sla_day, admin_user):
    roll_up()
    response = signed_in(admin_user).get(reverse("reports"), MONDAY_ONLY)
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("35 min", "90th percentile 8 h 42 min",  # first response 2,100 s / 31,320 s
                 "1 h 10 min", "90th percentile 2 h 38 min",  # resolution 4,200 s / 9,480 s
                 "33.3%", "1 of 3", "25.0%", "1 of 4", "No survey went out in this period.",
                 "60.0%", "3 of 5 met · first response 66.7%, next response 0.0%"):
        assert text in page, text


def test_a_lead_sees_only_their_teams(report_day, lead, team_a, team_b):
    roll_up()
    agent = Agent.objects.get(user=lead)
    agent.teams.set([team_b])
    body = api_client_for(lead).get("/api/v1/reports/summary/", MONDAY_ONLY).json()
    assert body["current"]["created"] == 0
    response = api_client_for(lead).get("/api/v1/reports/summary/",
                                        {**MONDAY_ONLY, "team": team_a.pk})
    assert response.status_code == 400
    agent.teams.set([team_a])
    lead = type(lead).objects.get(pk=lead.pk)  # a new request's user: teams read afresh
    body = api_client_for(lead).get("/api/v1/reports/summary/", MONDAY_ONLY).json()
    assert body["current"]["created"] == 4


def test_the_api_gives_the_same_figures(sla_day, admin_user):
    roll_up()
    client = api_client_for(admin_user)
    body = client.get("/api/v1/reports/summary/", MONDAY_ONLY).json()
    assert body["period"] == {"from": "2026-11-02", "to": "2026-11-02", "days": 1}
    assert body["previous_period"] == {"from": "2026-11-01", "to": "2026-11-01", "days": 1}
    assert body["current"] == {
        "created": 4, "first_responses": 4, "resolved": 3,
        "first_response_seconds": {"median": 2100, "p90": 31320},
        "resolution_seconds": {"median": 4200, "p90": 9480},
        "next_responses": 4, "next_response_seconds": {"median": 1500, "p90": 2220},
        "handle_seconds": {"written": {"average": 4760, "count": 3},
                           "calls": {"average": 285, "count": 2}},
        "first_contact_resolved": 1, "first_contact_resolution_rate": 1 / 3,
        "cross_channel": 1, "cross_channel_contact_rate": 1 / 3,
        "repeat_contacts": 1, "repeat_contact_rate": 0.25,
        "sla": {"first_response": {"met": 2, "due": 3, "rate": 2 / 3},
                "next_response": {"met": 0, "due": 1, "rate": 0.0},
                "resolution": {"met": 1, "due": 1, "rate": 1.0}},
        "sla_attainment_rate": 0.6,
    }
    assert body["sla_attainment"] == {"first_response": 2 / 3, "next_response": 0.0,
                                      "resolution": 1.0}
    assert body["csat"] is None
    assert body["previous"]["created"] == 1
    daily = client.get("/api/v1/reports/daily/",
                       {"from": SUNDAY.isoformat(), "to": MONDAY.isoformat()}).json()
    assert daily == [{"day": "2026-11-01", "created": 1, "resolved": 0, "backlog": 1},
                     {"day": "2026-11-02", "created": 4, "resolved": 3, "backlog": 2}]
    by_channel = client.get("/api/v1/reports/breakdown/", {**MONDAY_ONLY, "by": "channel"}).json()
    assert [(r["label"], r["created"]) for r in by_channel] == [
        ("Email", 2), ("Chat", 1), ("SMS", 1)]
    assert client.get("/api/v1/reports/summary/", {"from": "2026-13-01"}).status_code == 400


def test_each_csv_holds_its_tables_figures(sla_day, admin_user):
    roll_up()
    client = signed_in(admin_user)
    response = client.get(reverse("reports-export", args=["summary"]), MONDAY_ONLY)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:7] == ["period", "from", "to", "new", "first_responses",
                           "first_response_median_s", "first_response_p90_s"]
    assert rows[1][:10] == ["current", "2026-11-02", "2026-11-02", "4", "4", "2100", "31320",
                            "3", "4200", "9480"]
    assert rows[0][-7:] == ["sla_first_response_met", "sla_first_response_due",
                            "sla_next_response_met", "sla_next_response_due",
                            "sla_resolution_met", "sla_resolution_due", "sla_attainment_rate"]
    assert rows[1][-7:] == ["2", "3", "0", "1", "1", "1", "0.6"]
    heat = list(csv.reader(io.StringIO(client.get(
        reverse("reports-export", args=["heatmap"]), MONDAY_ONLY).content.decode())))
    assert heat[1][0] == "Mon" and heat[1][1 + 9] == "2" and heat[1][1 + 16] == "1"
    agents = list(csv.reader(io.StringIO(client.get(
        reverse("reports-export", args=["agent"]), MONDAY_ONLY).content.decode())))
    assert [(r[0], r[2]) for r in agents[1:]] == [("agent_a", "3"), ("Unassigned", "1")]
    assert client.get("/reports/export/nothing.csv").status_code == 404


def test_the_page_takes_a_fixed_number_of_queries(report_day, admin_user,
                                                   django_assert_max_num_queries):
    roll_up()
    client = signed_in(admin_user)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("reports"), MONDAY_ONLY).status_code == 200


def test_a_lead_of_no_team_gets_an_empty_report(report_day, lead):
    roll_up()
    body = api_client_for(lead).get("/api/v1/reports/summary/", MONDAY_ONLY).json()
    assert (body["current"]["created"], body["current"]["resolved"]) == (0, 0)
    page = signed_in(lead).get(reverse("reports"), MONDAY_ONLY).content.decode()
    assert "You lead no team yet" in page


def test_each_breakdown_loads_after_the_page(report_day, admin_user, agent_a):
    roll_up()
    client = signed_in(admin_user)
    page = client.get(reverse("reports"), MONDAY_ONLY).content.decode()
    assert f'hx-get="{reverse("reports-part", args=["channel"])}?from=2026-11-02' in page
    part = client.get(reverse("reports-part", args=["agent"]), MONDAY_ONLY,
                      headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in part
    assert '>agent_a</th><td class="num">3</td>' in part
    whole = client.get(reverse("reports-part", args=["team"]), MONDAY_ONLY).content.decode()
    assert "<h1>Reports by team</h1>" in whole and "Team A" in whole
    assert client.get(reverse("reports-part", args=["planet"])).status_code == 404
    assert signed_in(agent_a).get(reverse("reports-part", args=["team"])).status_code == 403
