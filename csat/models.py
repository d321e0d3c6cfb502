"""A satisfaction survey: one per conversation resolution, answered 1 to 5 with an
optional comment and customer-effort score."""

from __future__ import annotations

from django.db import models


class CsatSurvey(models.Model):
    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE,
                                     related_name="+", db_index=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE,
                                 related_name="+")
    # The resolution asked about: a conversation reopened and resolved again gets another.
    resolved_at = models.DateTimeField()
    # The channel the customer used last, which the survey goes out on.
    channel = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)  # 1 (bad) to 5 (great)
    # "How easy was it to get your answer?" 1 (very hard) to 5 (very easy); optional.
    effort = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "resolved_at"],
                                    name="csat_one_per_resolution"),
            models.CheckConstraint(condition=models.Q(rating__isnull=True)
                                   | models.Q(rating__gte=1, rating__lte=5),
                                   name="csat_rating_1_to_5"),
            models.CheckConstraint(condition=models.Q(effort__isnull=True)
                                   | models.Q(effort__gte=1, effort__lte=5),
                                   name="csat_effort_1_to_5"),
        ]
        # Reports count surveys by when they went out (reports/satisfaction.py).
        indexes = [models.Index(fields=["answered_at"], name="csat_answered"),
                   models.Index(fields=["sent_at"], name="csat_sent")]

    def __str__(self) -> str:
        return f"survey of #{self.conversation_id} ({self.rating or 'unanswered'})"
