"""Business time, as pure functions: when a target of N business seconds that starts at
a moment falls due, and how many business seconds lie between two moments.

A `Calendar` is a time zone, opening hours per weekday and closed dates (holidays by
country and region from the `holidays` library, plus custom dates). `None` stands for
"always open" (a policy that does not pause outside business hours). Each day's hours
are read in local wall time and turned into UTC for that very date, so a DST change moves
the UTC hours of the days after it and no others.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# Days looked at before a calendar is taken for one that never opens.
HORIZON_DAYS = 800


@dataclass(frozen=True)
class Calendar:
    tz: str
    # Monday 0 .. Sunday 6 -> (open, close) pairs in local time, close after open.
    weekly: dict[int, tuple[tuple[time, time], ...]]
    country: str = ""
    subdivision: str = ""
    closed_dates: frozenset[date] = field(default_factory=frozenset)

    def is_closed(self, day: date) -> bool:
        if day in self.closed_dates:
            return True
        return bool(self.country) and day in _public_holidays(
            self.country, self.subdivision, day.year
        )

    def intervals(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """The day's open intervals as aware datetimes."""
        if self.is_closed(day):
            return
        zone = ZoneInfo(self.tz)
        for opens, closes in self.weekly.get(day.weekday(), ()):
            start = datetime.combine(day, opens, tzinfo=zone)
            # 24:00 is written as 00:00 of the next day.
            end = (
                datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
                if closes == time(0)
                else datetime.combine(day, closes, tzinfo=zone)
            )
            yield start, end


@lru_cache(maxsize=256)
def _public_holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    found = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    return frozenset(found.keys())


def _open_intervals(calendar: Calendar, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals from `start` on, clipped to begin no earlier than it."""
    day = start.astimezone(ZoneInfo(calendar.tz)).date() - timedelta(days=1)
    for offset in range(HORIZON_DAYS):
        for opens, closes in calendar.intervals(day + timedelta(days=offset)):
            if closes <= start:
                continue
            yield max(opens, start), closes


def add_business_time(
    start: datetime, seconds: float, calendar: Calendar | None
) -> datetime:
    """The moment `seconds` of open time after `start` (`start` itself when 0)."""
    if calendar is None:
        return start + timedelta(seconds=seconds)
    left = timedelta(seconds=max(0.0, seconds))
    for opens, closes in _open_intervals(calendar, start):
        if left <= closes - opens:
            return opens + left
        left -= closes - opens
    raise ValueError("the business hours never open")


def business_seconds_between(
    start: datetime, end: datetime, calendar: Calendar | None
) -> float:
    """Open seconds in [start, end) (0 when end is not after start)."""
    if end <= start:
        return 0.0
    if calendar is None:
        return (end - start).total_seconds()
    total = 0.0
    for opens, closes in _open_intervals(calendar, start):
        if opens >= end:
            break
        total += (min(closes, end) - opens).total_seconds()
    return total
