"""The daily rollup reports read: one row per local day and (first channel, team, agent)
that had anything to count. Counts add across rows; durations are kept as arrays of
seconds so medians and 90th percentiles over any set of rows are exact (computed in
PostgreSQL with unnest + percentile_cont, reports.queries)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

# The SLA targets the rollup counts (routing.models.Target's values).
SLA_TARGETS = ("first_response", "next_response", "resolution")


def _zeros_24() -> list[int]:
    return [0] * 24


class DailyRollup(models.Model):
    day = models.DateField()  # in the reports' time zone (REPORTS_TIME_ZONE)
    # The channel the conversation began on (Conversation.channels[0]); "" when unknown.
    channel = models.CharField(max_length=16, blank=True)
    team = models.ForeignKey("agents.Team", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", db_index=False)
    # The conversation's assignee when the day was rolled up.
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", db_index=False)
    # Conversations whose first customer message came this day, by local hour.
    created = models.PositiveIntegerField(default=0)
    created_by_hour = ArrayField(models.PositiveIntegerField(), size=24, default=_zeros_24)
    # ...of which the customer had a conversation resolved in the REPORTS_REPEAT_DAYS before.
    repeat_contacts = models.PositiveIntegerField(default=0)
    # First agent responses made this day: seconds from the first customer message.
    first_response_seconds = ArrayField(models.PositiveIntegerField(), default=list)
    # Conversations resolved this day: seconds from the first customer message.
    resolution_seconds = ArrayField(models.PositiveIntegerField(), default=list)
    # Agent replies made this day that answered customer messages after an earlier reply:
    # seconds from the first of those messages (reports.rollup).
    next_response_seconds = ArrayField(models.PositiveIntegerField(), default=list)
    # The same durations as log-bucket histograms (reports.histogram), for reports over
    # more durations than REPORTS_EXACT_LIMIT.
    first_response_histogram = ArrayField(models.PositiveIntegerField(), default=list)
    resolution_histogram = ArrayField(models.PositiveIntegerField(), default=list)
    next_response_histogram = ArrayField(models.PositiveIntegerField(), default=list)
    # Handle time, summed (reports show the average): conversations resolved this day
    # that an agent wrote in, from the first reply to the resolution; calls begun this day
    # that an agent talked on, the agent's time on the call.
    written_handle_seconds = models.PositiveBigIntegerField(default=0)
    written_handled = models.PositiveIntegerField(default=0)
    call_handle_seconds = models.PositiveBigIntegerField(default=0)
    calls_handled = models.PositiveIntegerField(default=0)
    # ...of which: resolved with one agent reply and no customer message after it.
    first_contact_resolved = models.PositiveIntegerField(default=0)
    # ...of which: the customer wrote on more than one channel.
    cross_channel = models.PositiveIntegerField(default=0)
    # Conversations not resolved at the end of the day.
    backlog = models.PositiveIntegerField(default=0)
    # SLA targets decided this day (routing's SLAOutcome rows written this day: answered,
    # breached, or resolved), per target: how many, and how many were met.
    sla_first_response_due = models.PositiveIntegerField(default=0)
    sla_first_response_met = models.PositiveIntegerField(default=0)
    sla_next_response_due = models.PositiveIntegerField(default=0)
    sla_next_response_met = models.PositiveIntegerField(default=0)
    sla_resolution_due = models.PositiveIntegerField(default=0)
    sla_resolution_met = models.PositiveIntegerField(default=0)

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


class RolledDay(models.Model):
    """A day whose rollup rows are written, and when (today's are refreshed as it goes)."""

    day = models.DateField(primary_key=True)
    rolled_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.day} rolled at {self.rolled_at:%Y-%m-%d %H:%M}"
