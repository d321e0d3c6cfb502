"""CSAT in the reports: the surveys sent in the period, in the scope, exact."""

from __future__ import annotations

from csat.models import CsatSurvey
from reports.queries import Scope
from reports.satisfaction import csat
from tests.conftest import api_client_for
from tests.reports.conftest import MONDAY, SUNDAY, at


def _survey(conversation, sent, rating=None, effort=None, channel="email") -> None:
    CsatSurvey.objects.create(conversation=conversation, customer_id=conversation.customer_id,
                              resolved_at=sent, channel=channel, sent_at=sent, rating=rating,
                              effort=effort, answered_at=sent if rating else None)


def test_csat_counts_the_surveys_sent_in_the_period_and_scope(report_day, team_b, agent_a):
    c1, c2, c3 = report_day["c1"], report_day["c2"], report_day["c3"]
    _survey(c1, at(10, 5), rating=5, effort=4)
    _survey(c2, at(12, 35), rating=2, channel="chat")
    _survey(c3, at(15, 15), channel="sms")  # sent, not answered
    _survey(report_day["c5"], at(21, day=SUNDAY), rating=1)  # the day before
    monday = Scope(MONDAY, MONDAY)
    assert csat(monday) == {"sent": 3.0, "answered": 2.0, "response_rate": 2 / 3,
                            "average": 3.5, "effort_average": 4.0}
    assert csat(Scope(MONDAY, MONDAY, channel="sms")) == {
        "sent": 1.0, "answered": 0.0, "response_rate": 0.0}
    assert csat(Scope(MONDAY, MONDAY, agent_id=agent_a.pk))["sent"] == 2.0
    assert csat(Scope(MONDAY, MONDAY, team_ids=(team_b.pk,))) is None
    assert csat(Scope(SUNDAY, SUNDAY))["average"] == 1.0


def test_the_summary_api_and_page_show_it(report_day, admin_user):
    _survey(report_day["c1"], at(10, 5), rating=4)
    body = api_client_for(admin_user).get(
        "/api/v1/reports/summary/", {"from": MONDAY.isoformat(), "to": MONDAY.isoformat()}
    ).json()
    assert body["csat"] == {"sent": 1.0, "answered": 1.0, "response_rate": 1.0, "average": 4.0}
    client = api_client_for(admin_user)
    client.force_login(admin_user)
    page = client.get("/reports/", {"from": MONDAY.isoformat(), "to": MONDAY.isoformat()})
    html = page.content.decode()
    assert "4.0 / 5" in html and "1 of 1 answered (100.0%)" in html
