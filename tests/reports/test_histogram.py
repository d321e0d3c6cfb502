"""Above REPORTS_EXACT_LIMIT durations, percentiles come from the rollup's log-bucket
histograms: within half a bucket (±10%) of the exact figures."""

from __future__ import annotations

import pytest

from reports.actions.rollup import do_roll_up_day
from reports.histogram import BUCKETS, bounds, bucket_of, histogram, percentile
from reports.queries import Scope, figures
from tests.reports.conftest import MONDAY, SUNDAY


def test_buckets_cover_every_duration():
    assert bucket_of(0) == 0
    assert bucket_of(1) == 1
    for seconds in (1, 59, 60, 3600, 86400, 30 * 86400):
        low, high = bounds(bucket_of(seconds))
        assert low <= seconds < high
    assert bucket_of(10**12) == BUCKETS - 1
    assert histogram([0, 5, 5, 3600]) == [
        1 if n == 0 else 2 if n == bucket_of(5) else 1 if n == bucket_of(3600) else 0
        for n in range(BUCKETS)]
    assert percentile([0] * BUCKETS, 0.5) is None


def test_histogram_percentiles_are_within_ten_percent(report_day, settings):
    do_roll_up_day(SUNDAY)
    do_roll_up_day(MONDAY)
    settings.REPORTS_EXACT_LIMIT = 0  # force the histogram path
    monday = figures(Scope(MONDAY, MONDAY))[0]
    exact = {"first_response_median": 2100, "first_response_p90": 31320,
             "resolution_median": 4200, "resolution_p90": 9480}
    for name, value in exact.items():
        assert getattr(monday, name) == pytest.approx(value, rel=0.10), name
    assert (monday.created, monday.first_responses, monday.resolved) == (4, 4, 3)
