"""Figures in words for the report page: durations, rates, changes against the previous
period and whether a change is better or worse."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def duration(seconds: float | None) -> str:
    """45 s, 35 min, 2 h 20 min, 1 d 4 h."""
    if seconds is None:
        return "—"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    sub: str = ""
    delta: str = ""
    trend: str = ""  # better | worse | ""
    note: str = ""


def _trend(change: float, lower_is_better: bool | None) -> str:
    if change == 0 or lower_is_better is None:
        return ""
    return "better" if (change < 0) == lower_is_better else "worse"


def _relative(now: float | None, before: float | None, lower_is_better: bool | None,
              days: int) -> tuple[str, str]:
    if now is None or before is None:
        return ("no figure for the previous period" if before is None and now is not None
                else "", "")
    if before == 0:
        return ("", "") if now == 0 else (f"none in the previous {days} days", "")
    change = (now - before) / before
    return (f"{change * 100:+.0f}% vs previous {days} days",
            _trend(change, lower_is_better))


def _points(now: float | None, before: float | None, lower_is_better: bool,
            days: int) -> tuple[str, str]:
    if now is None or before is None:
        return ("", "")
    change = (now - before) * 100
    return (f"{change:+.1f} pts vs previous {days} days", _trend(change, lower_is_better))


TARGET_LABELS = {"first_response": "first response", "next_response": "next response",
                 "resolution": "resolution"}


def sla_tile(now: dict[str, Any], before: dict[str, Any], days: int) -> Tile:
    """Targets met of those decided in the period, overall, with each target's share."""
    if not any(t["due"] for t in now["sla"].values()):
        return Tile("SLA attainment", "—", "no target decided in the period")
    parts = [f"{TARGET_LABELS.get(name, name)} {percent(t['rate'])}"
             for name, t in now["sla"].items() if t["due"]]
    delta, trend = _points(now["sla_attainment_rate"], before["sla_attainment_rate"], False,
                           days)
    met = sum(t["met"] for t in now["sla"].values())
    due = sum(t["due"] for t in now["sla"].values())
    return Tile("SLA attainment", percent(now["sla_attainment_rate"]),
                f"{met} of {due} met · " + ", ".join(parts), delta, trend)


def tiles(summary: dict[str, Any]) -> list[Tile]:
    now, before = summary["current"], summary["previous"]
    days = summary["period"]["days"]
    frt, frt_before = now["first_response_seconds"], before["first_response_seconds"]
    res, res_before = now["resolution_seconds"], before["resolution_seconds"]
    nrt, nrt_before = now["next_response_seconds"], before["next_response_seconds"]

    def rate(label: str, key: str, part: str, whole: str, lower: bool) -> Tile:
        delta, trend = _points(now[key], before[key], lower, days)
        return Tile(label, percent(now[key]), f"{now[part]} of {now[whole]}", delta, trend)

    return [
        Tile("New conversations", str(now["created"]), f"{now['resolved']} resolved",
             *_relative(now["created"], before["created"], None, days)),
        Tile("First response, median", duration(frt["median"]),
             f"90th percentile {duration(frt['p90'])}",
             *_relative(frt["median"], frt_before["median"], True, days)),
        Tile("Next response, median", duration(nrt["median"]),
             f"90th percentile {duration(nrt['p90'])}",
             *_relative(nrt["median"], nrt_before["median"], True, days)),
        Tile("Resolution, median", duration(res["median"]),
             f"90th percentile {duration(res['p90'])}",
             *_relative(res["median"], res_before["median"], True, days)),
        handle_tile("Handle time, written", "written", now, before, days,
                    "resolved after an agent reply", "none resolved after an agent reply"),
        handle_tile("Handle time, calls", "calls", now, before, days, "calls with an agent",
                    "no call with an agent in the period"),
        rate("First-contact resolution", "first_contact_resolution_rate",
             "first_contact_resolved", "resolved", False),
        rate("Cross-channel contact rate", "cross_channel_contact_rate", "cross_channel",
             "resolved", True),
        rate("Repeat-contact rate", "repeat_contact_rate", "repeat_contacts", "created", True),
        sla_tile(now, before, days),
        csat_tile(summary["csat"]),
    ]


def handle_tile(label: str, kind: str, now: dict[str, Any], before: dict[str, Any],
                days: int, counted: str, empty: str) -> Tile:
    """An average handle time: written (first reply to resolution) or calls (talk)."""
    current, previous = now["handle_seconds"][kind], before["handle_seconds"][kind]
    if not current["count"]:
        return Tile(label, "—", empty)
    return Tile(label, duration(current["average"]), f"average of {current['count']} {counted}",
                *_relative(current["average"], previous["average"], True, days))


def csat_tile(csat: dict[str, float] | None) -> Tile:
    if csat is None:
        return Tile("CSAT", "—", note="No survey went out in this period.")
    average = csat.get("average")
    effort = csat.get("effort_average")
    rate = percent(csat["response_rate"])
    sub = f"{csat['answered']:.0f} of {csat['sent']:.0f} answered ({rate})"
    if effort is not None:
        sub += f"; effort {effort:.1f} / 5"
    return Tile("CSAT", "—" if average is None else f"{average:.1f} / 5", sub)
