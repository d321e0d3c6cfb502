"""Report figures against the hand-computed day in conftest.py: exact values."""

from __future__ import annotations

from reports.actions.rollup import do_roll_up_day
from reports.models import DailyRollup
from reports.queries import Scope, daily, figures, heatmap
from tests.reports.conftest import MONDAY, SUNDAY


def roll_up() -> None:
    do_roll_up_day(SUNDAY)
    do_roll_up_day(MONDAY)


def test_the_days_figures_are_exact(report_day):
    roll_up()
    monday = figures(Scope(MONDAY, MONDAY))[0]
    assert (monday.created, monday.first_responses, monday.resolved) == (4, 4, 3)
    assert monday.first_response_median == 2100.0
    assert monday.first_response_p90 == 31320.0
    assert monday.resolution_median == 4200.0
    assert monday.resolution_p90 == 9480.0
    assert (monday.first_contact_resolved, monday.fcr_rate) == (1, 1 / 3)
    assert (monday.cross_channel, monday.cross_channel_rate) == (1, 1 / 3)
    assert (monday.repeat_contacts, monday.repeat_contact_rate) == (1, 1 / 4)


def test_the_previous_period_is_the_day_before(report_day):
    roll_up()
    sunday = figures(Scope(MONDAY, MONDAY).previous())[0]
    assert (sunday.created, sunday.first_responses, sunday.resolved) == (1, 0, 0)
    assert sunday.first_response_median is None
    assert sunday.fcr_rate is None


def test_backlog_volume_and_heatmap(report_day):
    roll_up()
    scope = Scope(SUNDAY, MONDAY)
    assert [(d["day"], d["created"], d["resolved"], d["backlog"]) for d in daily(scope)] == [
        (SUNDAY, 1, 0, 1), (MONDAY, 4, 3, 2)]
    grid = heatmap(scope)
    expected = [[0] * 24 for _ in range(7)]
    expected[0][9], expected[0][14], expected[0][16] = 2, 1, 1  # Monday
    expected[6][20] = 1  # Sunday
    assert grid == expected


def test_filters_by_channel_team_and_agent(report_day, agent_a, team_a, team_b):
    roll_up()
    email = figures(Scope(MONDAY, MONDAY, channel="email"))[0]
    assert (email.created, email.first_response_median, email.resolution_median) == (
        2, 21900.0, 3600.0)
    mine = figures(Scope(MONDAY, MONDAY, agent_id=agent_a.pk))[0]
    assert (mine.created, mine.resolved, mine.first_response_median) == (3, 2, 360.0)
    assert figures(Scope(MONDAY, MONDAY, team_ids=(team_b.pk,)))[0].created == 0
    assert figures(Scope(MONDAY, MONDAY, team_ids=(team_a.pk,)))[0].created == 4


def test_the_breakdown_by_channel(report_day):
    roll_up()
    by_channel = {f.key: (f.created, f.resolved, f.first_response_median)
                  for f in figures(Scope(MONDAY, MONDAY), "channel")}
    assert by_channel == {"email": (2, 1, 21900.0), "chat": (1, 1, 120.0),
                          "sms": (1, 1, 3600.0)}


def test_rolling_a_day_again_replaces_its_rows(report_day):
    roll_up()
    before = sorted(DailyRollup.objects.filter(day=MONDAY).values_list(
        "channel", "created", "backlog"))
    do_roll_up_day(MONDAY)
    after = sorted(DailyRollup.objects.filter(day=MONDAY).values_list(
        "channel", "created", "backlog"))
    # email: C1 and C4 (agent_a) in one row, C5 (unassigned) in another
    assert before == after == [("chat", 1, 0), ("email", 0, 1), ("email", 2, 1),
                               ("sms", 1, 0)]


def test_the_beat_task_fills_every_day_since_the_first_conversation(report_day):
    from django.utils import timezone

    from reports.models import RolledDay
    from reports.tasks import roll_up_task

    today = timezone.now().date()
    assert roll_up_task() == (today - SUNDAY).days + 1
    assert RolledDay.objects.order_by("day").first().day == SUNDAY
    assert figures(Scope(MONDAY, MONDAY))[0].created == 4
    # The next run re-rolls yesterday (late events) and today only.
    assert roll_up_task() == 2


def test_a_report_reaching_today_counts_todays_conversations_live(settings, team_a, agent_a,
                                                                  admin_user):
    from django.test import Client
    from django.utils import timezone

    from conversations.models import Conversation
    from customers.models import Customer

    settings.REPORTS_TIME_ZONE = "UTC"
    now = timezone.now()
    Conversation.objects.create(customer=Customer.objects.create(name="Eve"), team=team_a,
                                channels=["chat"], first_inbound_at=now, last_activity_at=now)
    client = Client()
    client.force_login(admin_user)
    body = client.get("/api/v1/reports/summary/", {"period": "7"}).json()
    assert body["current"]["created"] == 1
    today = [d for d in client.get("/api/v1/reports/daily/", {"period": "7"}).json()
             if d["day"] == now.date().isoformat()]
    assert today == [{"day": now.date().isoformat(), "created": 1, "resolved": 0, "backlog": 1}]


def test_sla_attainment_per_target_is_exact(sla_day):
    roll_up()
    monday = figures(Scope(MONDAY, MONDAY))[0]
    assert monday.sla == {"first_response": (2, 3), "next_response": (0, 1),
                          "resolution": (1, 1)}
    assert (monday.sla_met, monday.sla_due, monday.sla_rate) == (3, 5, 0.6)
    sunday = figures(Scope(SUNDAY, SUNDAY))[0]
    assert sunday.sla == {"first_response": (0, 1), "next_response": (0, 0),
                          "resolution": (0, 0)}
    by_channel = {f.key: (f.sla_met, f.sla_due) for f in figures(Scope(MONDAY, MONDAY),
                                                                 "channel")}
    assert by_channel == {"email": (1, 1), "chat": (1, 2), "sms": (1, 2)}


def test_sla_attainment_in_the_summary_and_tile(sla_day):
    from reports.payloads import summary
    from reports.present import tiles

    roll_up()
    found = summary(Scope(MONDAY, MONDAY))
    assert found["sla_attainment"] == {"first_response": 2 / 3, "next_response": 0.0,
                                       "resolution": 1.0}
    assert found["current"]["sla"]["first_response"] == {"met": 2, "due": 3, "rate": 2 / 3}
    assert found["previous"]["sla_attainment_rate"] == 0.0
    [tile] = [t for t in tiles(found) if t.label == "SLA attainment"]
    assert (tile.value, tile.sub) == (
        "60.0%", "3 of 5 met · first response 66.7%, next response 0.0%, resolution 100.0%")
    assert tile.delta == "+60.0 pts vs previous 1 days"
