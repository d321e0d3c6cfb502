"""A per-inbox weekly schedule with a timezone and holidays: is the phone line open?

Kept in this one small module on purpose: the routing issue brings shared
BusinessHours, and then only `is_open` changes to ask them.

    {"timezone": "Europe/Berlin",
     "weekly": {"mon": [["09:00", "17:00"]], "sat": [["10:00", "13:00"]]},
     "holidays": ["2025-12-25"]}

A day not named in "weekly" is closed; no "hours" at all means always open.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock(value: Any) -> time:
    text = str(value)
    if text == "24:00":
        return time.max
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"hours: {value!r} is not a time like 09:30") from None


def validate_hours(hours: Any) -> dict[str, Any]:
    if not isinstance(hours, dict):
        raise ValueError("voice.hours must be an object")
    zone = str(hours.get("timezone") or "UTC")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"voice.hours.timezone: unknown timezone {zone!r}") from None
    weekly = hours.get("weekly") or {}
    if not isinstance(weekly, dict) or set(weekly) - set(DAYS):
        raise ValueError(f"voice.hours.weekly must map days ({', '.join(DAYS)}) to intervals")
    clean_weekly: dict[str, list[list[str]]] = {}
    for day, intervals in weekly.items():
        if not isinstance(intervals, list):
            raise ValueError(f"voice.hours.weekly.{day} must be a list of [start, end]")
        clean_weekly[day] = []
        for interval in intervals:
            if not isinstance(interval, list | tuple) or len(interval) != 2:
                raise ValueError(f"voice.hours.weekly.{day}: each interval is [start, end]")
            start, end = _clock(interval[0]), _clock(interval[1])
            if start >= end:
                raise ValueError(f"voice.hours.weekly.{day}: {interval} ends before it starts")
            clean_weekly[day].append([str(interval[0]), str(interval[1])])
    holidays = hours.get("holidays") or []
    if not isinstance(holidays, list):
        raise ValueError("voice.hours.holidays must be a list of dates")
    for day in holidays:
        try:
            date.fromisoformat(str(day))
        except ValueError:
            raise ValueError(f"voice.hours.holidays: {day!r} is not a date (2025-12-25)") from None
    return {"timezone": zone, "weekly": clean_weekly, "holidays": [str(d) for d in holidays]}


def is_open(hours: dict[str, Any] | None, now: datetime) -> bool:
    """`hours` as validated; `now` timezone-aware."""
    if not hours:
        return True
    local = now.astimezone(ZoneInfo(hours.get("timezone") or "UTC"))
    if local.date().isoformat() in hours.get("holidays", []):
        return False
    intervals = hours.get("weekly", {}).get(DAYS[local.weekday()], [])
    clock = local.time().replace(tzinfo=None)
    return any(_clock(start) <= clock < _clock(end) for start, end in intervals)
