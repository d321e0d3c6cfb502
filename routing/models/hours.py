from __future__ import annotations

from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import models

from routing.calendar import Calendar

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _time(value: str) -> time:
    if value == "24:00":
        return time(0)
    return time.fromisoformat(value)


class BusinessHours(models.Model):
    """A business-hours calendar: time zone, weekly hours, holidays."""

    name = models.CharField(max_length=100, unique=True)
    timezone = models.CharField(max_length=64, default="UTC")
    # {"mon": [["09:00", "17:00"]], ...}: local opening hours per weekday ("24:00" ends
    # a day); a weekday not named is closed.
    weekly_hours = models.JSONField(default=dict)
    # Public holidays of this country (ISO code) and region, from the `holidays` library.
    holiday_country = models.CharField(max_length=8, blank=True)
    holiday_subdivision = models.CharField(max_length=16, blank=True)
    # Further closed dates, "YYYY-MM-DD".
    closed_dates = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name_plural = "business hours"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            self.calendar()
        except (ValueError, TypeError, KeyError, NotImplementedError) as exc:
            raise ValidationError(str(exc)) from exc

    def calendar(self) -> Calendar:
        """Raises ValueError (or KeyError, TypeError) on hours that cannot be read."""
        from zoneinfo import ZoneInfo

        import holidays

        ZoneInfo(self.timezone)  # raises on an unknown zone
        weekly: dict[int, tuple[tuple[time, time], ...]] = {}
        if not isinstance(self.weekly_hours, dict):
            raise ValueError("weekly_hours maps weekdays to lists of [open, close]")
        for name, spans in self.weekly_hours.items():
            if name not in DAYS:
                raise ValueError(f"unknown weekday {name!r}: use {', '.join(DAYS)}")
            pairs = []
            for opens, closes in spans:
                pair = (_time(opens), _time(closes))
                if pair[1] != time(0) and pair[1] <= pair[0]:
                    raise ValueError(f"{name}: {opens}-{closes} closes before it opens")
                pairs.append(pair)
            weekly[DAYS.index(name)] = tuple(sorted(pairs))
        if not any(weekly.values()):
            raise ValueError("the hours never open")
        if self.holiday_country:
            holidays.country_holidays(
                self.holiday_country, subdiv=self.holiday_subdivision or None, years=2026
            )
        return Calendar(
            tz=self.timezone,
            weekly=weekly,
            country=self.holiday_country,
            subdivision=self.holiday_subdivision,
            closed_dates=frozenset(date.fromisoformat(d) for d in self.closed_dates),
        )
