"""The rollups reports read, never the conversations.

DailyRollup: one row per local day and (first channel, team, agent) that had anything
to count. Counts add across rows; durations are kept as arrays of seconds, so medians
and 90th percentiles over up to REPORTS_EXACT_LIMIT of them are exact (PostgreSQL
unnest + percentile_cont, reports.queries), and as log-bucket histograms packed into
one number each (reports.histogram, reports.packed) for reports over more.

MonthlyRollup: the same counts and histograms summed over a whole past month, plus what
the daily chart and the heatmap need of its days (packed per day of the month and per
weekday x hour). A report reads whole rolled-up months from it and the days around them
from DailyRollup: a year is ~12 x (channels x teams x agents) rows instead of 365 x.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from reports.packed import PackedCountsField

# The SLA targets the rollup counts (routing.models.Target's values).
SLA_TARGETS = ("first_response", "next_response", "resolution")


def _zeros_24() -> list[int]:
    return [0] * 24


class RollupCounts(models.Model):
    """What a daily and a monthly row share: their dimensions, counts that add, and the
    durations' histograms (packed)."""

    # The channel the conversation began on (Conversation.channels[0]); "" when unknown.
    channel = models.CharField(max_length=16, blank=True)
    team = models.ForeignKey("agents.Team", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", db_index=False)
    # The conversation's assignee when the day was rolled up.
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", db_index=False)
    # Conversations whose first customer message came this day.
    created = models.PositiveIntegerField(default=0)
    # ...of which the customer had a conversation resolved in the REPORTS_REPEAT_DAYS before.
    repeat_contacts = models.PositiveIntegerField(default=0)
    # Of the conversations resolved: resolved with one agent reply and no customer message
    # after it; the customer wrote on more than one channel.
    first_contact_resolved = models.PositiveIntegerField(default=0)
    cross_channel = models.PositiveIntegerField(default=0)
    # Handle time, summed (reports show the average): conversations resolved this day
    # that an agent wrote in, from the first reply to the resolution; calls begun this day
    # that an agent talked on, the agent's time on the call.
    written_handle_seconds = models.PositiveBigIntegerField(default=0)
    written_handled = models.PositiveIntegerField(default=0)
    call_handle_seconds = models.PositiveBigIntegerField(default=0)
    calls_handled = models.PositiveIntegerField(default=0)
    # SLA targets decided this day (routing's SLAOutcome rows written this day: answered,
    # breached, or resolved), per target: how many, and how many were met.
    sla_first_response_due = models.PositiveIntegerField(default=0)
    sla_first_response_met = models.PositiveIntegerField(default=0)
    sla_next_response_due = models.PositiveIntegerField(default=0)
    sla_next_response_met = models.PositiveIntegerField(default=0)
    sla_resolution_due = models.PositiveIntegerField(default=0)
    sla_resolution_met = models.PositiveIntegerField(default=0)
    # The durations (first response, resolution, next response) as log-bucket histograms
    # (reports.histogram), each packed into one number (reports.packed).
    first_response_buckets = PackedCountsField(default=0)
    resolution_buckets = PackedCountsField(default=0)
    next_response_buckets = PackedCountsField(default=0)

    class Meta:
        abstract = True


class DailyRollup(RollupCounts):
    day = models.DateField()  # in the reports' time zone (REPORTS_TIME_ZONE)
    # New conversations by local hour.
    created_by_hour = ArrayField(models.PositiveIntegerField(), size=24, default=_zeros_24)
    # First agent responses made this day: seconds from the first customer message.
    first_response_seconds = ArrayField(models.PositiveIntegerField(), default=list)
    # Conversations resolved this day: seconds from the first customer message.
    resolution_seconds = ArrayField(models.PositiveIntegerField(), default=list)
    # Agent replies made this day that answered customer messages after an earlier reply:
    # seconds from the first of those messages (reports.rollup).
    next_response_seconds = ArrayField(models.PositiveIntegerField(), default=list)
    # Conversations not resolved at the end of the day.
    backlog = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "channel", "team", "agent"], name="rollup_day_dims",
                nulls_distinct=False,
            ),
        ]
        indexes = [
            models.Index(fields=["team", "day"], name="rollup_team_day"),
            models.Index(fields=["agent", "day"], name="rollup_agent_day"),
            models.Index(fields=["channel", "day"], name="rollup_channel_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel or '-'} team={self.team_id} agent={self.agent_id}"


class MonthlyRollup(RollupCounts):
    """A past month's daily rows summed (reports.actions.rollup.do_roll_up_month)."""

    month = models.DateField()  # its first day
    # How many durations each histogram holds.
    first_responses = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    next_responses = models.PositiveIntegerField(default=0)
    # Per day of the month (cell 0: the 1st): new, resolved, backlog at the day's end.
    created_by_day = PackedCountsField(default=0)
    resolved_by_day = PackedCountsField(default=0)
    backlog_by_day = PackedCountsField(default=0)
    # New conversations per weekday x local hour (cell 24 * (ISO weekday - 1) + hour).
    created_by_weekday_hour = PackedCountsField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "channel", "team", "agent"], name="rollup_month_dims",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.channel or '-'} team={self.team_id} agent={self.agent_id}"


class RolledDay(models.Model):
    """A day whose rollup rows are written, and when (today's are refreshed as it goes)."""

    day = models.DateField(primary_key=True)
    rolled_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.day} rolled at {self.rolled_at:%Y-%m-%d %H:%M}"


class RolledMonth(models.Model):
    """A month whose MonthlyRollup rows are written: reports read it from them. Rolling
    one of its days up again rewrites them in the same transaction."""

    month = models.DateField(primary_key=True)
    rolled_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} rolled at {self.rolled_at:%Y-%m-%d %H:%M}"
