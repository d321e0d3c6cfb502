"""Next response time and average handle time against the hand-computed day in
conftest.py: exact values, in the rollup, the summary, the tiles, the breakdowns and CSV."""

from __future__ import annotations

import csv
import io

from django.test import Client
from django.urls import reverse

from reports.actions.rollup import do_roll_up_day
from reports.payloads import summary
from reports.present import tiles
from reports.queries import Scope, figures
from tests.reports.conftest import MONDAY, SUNDAY

MONDAY_ONLY = {"from": MONDAY.isoformat(), "to": MONDAY.isoformat()}


def roll_up() -> None:
    do_roll_up_day(SUNDAY)
    do_roll_up_day(MONDAY)


def test_next_responses_are_timed_from_the_first_unanswered_customer_message(report_day):
    roll_up()
    monday = figures(Scope(MONDAY, MONDAY))[0]
    # C2 1,800 and 1,200 (from 11:40, not 11:45), C3's call 60, C5 2,400; C3's "thanks"
    # at 15:05 before the call counts, C4's calls answer nothing.
    assert monday.next_responses == 4
    assert (monday.next_response_median, monday.next_response_p90) == (1500, 2220)
    sunday = figures(Scope(SUNDAY, SUNDAY))[0]
    assert (sunday.next_responses, sunday.next_response_median) == (0, None)


def test_handle_time_averages_written_conversations_and_calls(report_day):
    roll_up()
    monday = figures(Scope(MONDAY, MONDAY))[0]
    # Written: first reply to resolution of C1 3,000, C2 10,680, C3 600.
    assert (monday.written_handled, monday.written_handle_seconds) == (3, 14280)
    assert monday.written_handle_average == 4760
    # Calls: C3's placed call 150 (its duration), C4's answered call 420 (talk, not the
    # 460 with the queue); C4's unanswered call is not handled.
    assert (monday.calls_handled, monday.call_handle_seconds) == (2, 570)
    assert monday.call_handle_average == 285


def test_the_breakdowns_split_them_by_first_channel_and_agent(report_day, agent_a):
    roll_up()
    by_channel = {f.key: (f.next_responses, f.next_response_median, f.written_handle_average,
                          f.call_handle_average)
                  for f in figures(Scope(MONDAY, MONDAY), "channel")}
    assert by_channel == {"email": (1, 2400, 3000, 420), "chat": (2, 1500, 10680, None),
                          "sms": (1, 60, 600, 150)}
    by_agent = {f.key: (f.next_response_median, f.written_handle_average,
                        f.call_handle_average)
                for f in figures(Scope(MONDAY, MONDAY), "agent")}
    assert by_agent == {agent_a.pk: (1500, 6840, 420), None: (1230, 600, 150)}


def test_the_summary_tiles_and_csv_show_them(report_day, admin_user):
    roll_up()
    found = summary(Scope(MONDAY, MONDAY))
    shown = {t.label: (t.value, t.sub) for t in tiles(found)}
    assert shown["Next response, median"] == ("25 min", "90th percentile 37 min")
    assert shown["Handle time, written"] == (
        "1 h 19 min", "average of 3 resolved after an agent reply")
    assert shown["Handle time, calls"] == ("4 min", "average of 2 calls with an agent")
    client = Client()
    client.force_login(admin_user)
    rows = list(csv.reader(io.StringIO(client.get(
        reverse("reports-export", args=["channel"]), MONDAY_ONLY).content.decode())))
    header, email = rows[0], rows[1]
    assert email[:2] == ["Email", "email"]
    columns = dict(zip(header, email, strict=True))
    assert {k: columns[k] for k in (
        "next_responses", "next_response_median_s", "next_response_p90_s", "written_handled",
        "written_handle_average_s", "calls_handled", "call_handle_average_s")} == {
        "next_responses": "1", "next_response_median_s": "2400", "next_response_p90_s": "2400",
        "written_handled": "1", "written_handle_average_s": "3000", "calls_handled": "1",
        "call_handle_average_s": "420"}
    part = client.get(reverse("reports-part", args=["channel"]), MONDAY_ONLY,
                      headers={"HX-Request": "true"}).content.decode()
    assert ">Next response</th>" in part and ">Handle time</th>" in part
    assert '<td class="num">40 min</td>' in part  # email's next response, 2,400 s


def test_a_call_an_agent_placed_on_a_new_conversation_counts_only_as_a_call(
        report_day, team_a, agent_a):
    from conversations.models import Conversation, Interaction
    from customers.models import Customer
    from tests.reports.conftest import at

    gus = Customer.objects.create(name="Gus")
    conv = Conversation.objects.create(customer=gus, team=team_a, assignee=agent_a,
                                       channels=["voice"], last_activity_at=at(13))
    Conversation.objects.filter(pk=conv.pk).update(created_at=at(13))
    Interaction.objects.create(conversation=conv, customer=gus, channel="voice",
                               direction="out", kind="call", author_agent=agent_a,
                               meta={"talk_seconds": 0, "duration_seconds": 90},
                               occurred_at=at(13), status="sent")
    roll_up()
    monday = figures(Scope(MONDAY, MONDAY))[0]
    assert (monday.created, monday.calls_handled, monday.call_handle_seconds) == (4, 3, 660)
    voice = {f.key: f for f in figures(Scope(MONDAY, MONDAY), "channel")}["voice"]
    assert (voice.created, voice.resolved, voice.call_handle_average) == (0, 0, 90)
    assert figures(Scope(SUNDAY, SUNDAY))[0].calls_handled == 0
