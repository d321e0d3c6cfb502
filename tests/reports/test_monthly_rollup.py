"""Whole months read from MonthlyRollup give the same figures, day series and heatmap
as their daily rows; rolling a day of a rolled-up month up again rewrites the month."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from conversations.models import Conversation
from customers.models import Customer
from reports.actions.rollup import do_roll_up_day, do_roll_up_month, months_to_roll_up
from reports.models import MonthlyRollup, RolledMonth
from reports.packed import pack, unpack
from reports.queries import Scope, daily, figures, heatmap
from reports.sources import sources
from tests.reports.conftest import MONDAY, SUNDAY, at

NOVEMBER = date(2026, 11, 1)
# October 20 to December 10: days before and after November, November whole.
AROUND = Scope(date(2026, 10, 20), date(2026, 12, 10))


def roll_up() -> None:
    do_roll_up_day(SUNDAY)
    do_roll_up_day(MONDAY)


def everything(scope: Scope, group: str | None = None) -> tuple:
    return ([asdict(f) for f in figures(scope, group)], daily(scope), heatmap(scope))


def test_packed_counts_add_cell_by_cell():
    assert unpack(pack([3, 0, 7]) + pack([1, 2, 0]), 3) == [4, 2, 7]
    assert unpack(None, 2) == [0, 0]


def test_a_rolled_up_month_reads_as_its_days(report_day, settings):
    roll_up()
    from_days = {group: everything(AROUND, group) for group in (None, "channel", "agent")}
    assert do_roll_up_month(NOVEMBER) == 4  # chat, sms, email x (agent_a, unassigned)
    assert sources(AROUND).months == (NOVEMBER,)
    assert sources(AROUND).day_ranges == ((date(2026, 10, 20), date(2026, 10, 31)),
                                          (date(2026, 12, 1), date(2026, 12, 10)))
    for group, expected in from_days.items():
        assert everything(AROUND, group) == expected, group
    whole = figures(AROUND)[0]
    assert (whole.created, whole.resolved, whole.next_responses, whole.calls_handled) == (
        5, 3, 4, 2)
    assert (whole.next_response_median, whole.written_handle_average) == (1500, 4760)
    # Above the exact limit the percentiles come from the summed histograms: the same
    # whether the month's are summed from its days or read from its rows.
    settings.REPORTS_EXACT_LIMIT = 0
    from_month = asdict(figures(AROUND)[0])
    RolledMonth.objects.all().delete()
    assert asdict(figures(AROUND)[0]) == from_month
    assert from_month["next_response_median"] != 1500  # a bucket's estimate, not exact


def test_a_part_of_a_month_is_read_from_its_days(report_day):
    roll_up()
    do_roll_up_month(NOVEMBER)
    part = Scope(SUNDAY, date(2026, 11, 29))
    assert sources(part).months == ()
    assert figures(part)[0].created == 5


def test_rolling_a_day_again_rewrites_its_month(report_day, team_a):
    roll_up()
    do_roll_up_month(NOVEMBER)
    Conversation.objects.create(customer=Customer.objects.create(name="Flo"), team=team_a,
                                channels=["chat"], first_inbound_at=at(18),
                                last_activity_at=at(18))
    do_roll_up_day(MONDAY)
    assert MonthlyRollup.objects.filter(month=NOVEMBER, channel="chat", agent=None).get(
    ).created == 1
    assert figures(AROUND)[0].created == 6
    assert daily(AROUND)[13] == {"day": MONDAY, "created": 5, "resolved": 3, "backlog": 3}


def test_the_beat_rolls_up_each_month_that_is_over(report_day):
    roll_up()
    assert months_to_roll_up(today=date(2026, 11, 30)) == []  # November is not over
    assert months_to_roll_up(today=date(2026, 12, 5)) == [NOVEMBER]
    do_roll_up_month(NOVEMBER)
    assert months_to_roll_up(today=date(2026, 12, 5)) == []
