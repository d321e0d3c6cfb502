"""A report's scope from query parameters (page, CSV and API read the same ones):
`period` (7, 28 or 90 days ending today) or `from` and `to` (dates, inclusive, at most
366 days), `channel`, `team`, `agent`. A bad value raises InvalidFilter naming it."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date

from conversations.channels import channel_kinds
from conversations.params import InvalidFilter, Params, choice, optional_id, raw
from reports.queries import Scope
from reports.rollup import local_day

PERIODS = {"7": "Last 7 days", "28": "Last 28 days", "90": "Last 90 days"}
MAX_DAYS = 366


def _date(params: Params, name: str) -> date | None:
    value = raw(params, name)
    if not value:
        return None
    try:
        parsed = parse_date(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise InvalidFilter(name, "must be a date, YYYY-MM-DD")
    return parsed


def scope_from(params: Params, team_ids: tuple[int, ...] | None,
               today: date | None = None) -> Scope:
    today = today or local_day(timezone.now())
    start, end = _date(params, "from"), _date(params, "to")
    if start or end:
        end = end or today
        start = start or end - timedelta(days=6)
        if start > end:
            raise InvalidFilter("from", "must not be after `to`")
        if (end - start).days >= MAX_DAYS:
            raise InvalidFilter("from", f"a report covers at most {MAX_DAYS} days")
    else:
        days = int(choice(params, "period", PERIODS, "28"))
        end, start = today, today - timedelta(days=days - 1)
    channel = raw(params, "channel")
    if channel and channel not in channel_kinds():
        raise InvalidFilter("channel", f"must be one of {', '.join(channel_kinds())}")
    team_id = optional_id(params, "team")
    if team_id is not None and team_ids is not None and team_id not in team_ids:
        raise InvalidFilter("team", "is not one of your teams")
    return Scope(start=start, end=end, channel=channel, team_id=team_id,
                 agent_id=optional_id(params, "agent"), team_ids=team_ids)
