from __future__ import annotations

from django.db import models
from django.db.models import Q


class Target(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    NEXT_RESPONSE = "next_response", "Next response"
    RESOLUTION = "resolution", "Resolution"


class ClockState(models.TextChoices):
    RUNNING = "running", "Running"
    AT_RISK = "at_risk", "At risk"
    BREACHED = "breached", "Breached"
    PAUSED = "paused", "Paused"
    MET = "met", "Met"
    NONE = "", "Nothing due"


class ConversationSLA(models.Model):
    """The SLA clock of one conversation: the target that runs now (the response the
    customer waits for, on the channel of the oldest unanswered inbound), what of it
    was used before a pause, its due and warning moments, and when the timer sweep
    looks next (`next_check_at`, indexed on the rows that have one only; the at-risk and
    breached clocks have a partial index of their own, for the live queues)."""

    conversation = models.OneToOneField(
        "conversations.Conversation",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="sla_clock",
    )
    policy = models.ForeignKey(
        "routing.SLAPolicy", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target = models.CharField(max_length=16, choices=Target.choices, blank=True)
    channel = models.CharField(max_length=16, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    target_seconds = models.PositiveIntegerField(default=0)
    warn_percent = models.PositiveSmallIntegerField(default=75)
    # Business seconds used before the current segment (a pause ends a segment).
    consumed_seconds = models.FloatField(default=0)
    # Since when the clock runs; empty while paused or stopped.
    segment_started_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=ClockState.choices, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    at_risk_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    # Resolution target: runs from the first inbound (or a reopen) until resolved,
    # paused while pending or snoozed like the response targets, with its own warning
    # and breach (the sweep looks at the earliest of both targets' moments).
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    resolution_started_at = models.DateTimeField(null=True, blank=True)
    resolution_seconds = models.PositiveIntegerField(null=True, blank=True)
    resolution_consumed_seconds = models.FloatField(default=0)
    resolution_segment_started_at = models.DateTimeField(null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True)
    resolution_at_risk_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "conversation SLA clock"
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="sla_clock_next_check",
                condition=Q(next_check_at__isnull=False),
            ),
            # The live queues' at-risk and breached counts and their drill-down, read in
            # its order (breached first, then the one due soonest): a few hundred rows
            # among every open conversation's clock.
            models.Index(
                fields=["-state", "due_at", "conversation"],
                name="sla_clock_alert",
                condition=Q(state__in=["at_risk", "breached"]),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.conversation_id} {self.target or '-'} {self.state or '-'}"


class SLAOutcome(models.Model):
    """One target's run, met or missed: reports count attainment from these rows."""

    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    policy = models.ForeignKey(
        "routing.SLAPolicy", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target = models.CharField(max_length=16, choices=Target.choices)
    channel = models.CharField(max_length=16)
    team_id = models.BigIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    met = models.BooleanField()
    achieved_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "target", "started_at"], name="sla_outcome_once"
            )
        ]
        indexes = [models.Index(fields=["created_at"], name="sla_outcome_created")]

    def __str__(self) -> str:
        return f"#{self.conversation_id} {self.target} {'met' if self.met else 'missed'}"
