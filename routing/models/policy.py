from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from conversations.models import Priority


class SLAPolicy(models.Model):
    """Response and resolution targets for the conversations it matches.

    The most specific active policy wins: one naming a priority over one naming a
    customer tier over one naming a channel only (ties: the lowest id). A channel no
    policy matches takes its registry's first-response target (conversations.channels).
    """

    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True)
    channel = models.CharField(max_length=16, blank=True, help_text="Empty: any channel.")
    priority = models.SmallIntegerField(
        choices=Priority.choices, null=True, blank=True, help_text="Empty: any priority."
    )
    customer_tier = models.CharField(
        max_length=50, blank=True, help_text="The customer's `tier` attribute; empty: any."
    )
    first_response_seconds = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    next_response_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty: the first-response target."
    )
    resolution_seconds = models.PositiveIntegerField(null=True, blank=True)
    warn_percent = models.PositiveSmallIntegerField(
        default=75, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    business_hours = models.ForeignKey(
        "routing.BusinessHours", null=True, blank=True, on_delete=models.SET_NULL
    )
    pause_outside_hours = models.BooleanField(default=True)
    escalate_notify_lead = models.BooleanField(default=True)
    escalate_raise_priority = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        ordering = ["channel", "priority", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.pause_outside_hours and self.business_hours_id is None:
            self.pause_outside_hours = False

    def specificity(self) -> int:
        return (
            (4 if self.priority is not None else 0)
            + (2 if self.customer_tier else 0)
            + (1 if self.channel else 0)
        )
