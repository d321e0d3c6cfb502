"""Customers and the identities (email, phone, chat visitor, external id) that name them."""

from __future__ import annotations

from django.db import models


class IdentityKind:
    """The identity kinds every install has: a person's email address and phone number
    (E.164, also for SMS and WhatsApp), and an id in an outside system. Channel apps
    register more (a chat visitor) in customers.identities."""

    EMAIL = "email"
    PHONE = "phone"
    EXTERNAL = "external"


class Customer(models.Model):
    name = models.CharField(max_length=200, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    language = models.CharField(max_length=16, blank=True)
    preferred_channel = models.CharField(max_length=16, blank=True)
    # Set when this record was merged into another; the merged record keeps no
    # identities or conversations, only this pointer for links that still name it.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["name"]), models.Index(fields=["-updated_at", "-id"])]

    def __str__(self) -> str:
        return self.name or f"Customer #{self.pk}"

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        first = next(iter(self.identities.all()), None)
        return first.value if first else f"Customer #{self.pk}"


class Identity(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=10)  # a registered identity kind (customers.identities)
    value = models.CharField(max_length=255)
    # An identity the customer merely claimed (an email typed into a chat pre-form)
    # stays unverified: agents see it, the claimant never sees the owner's history.
    verified = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="identity_unique_kind_value")
        ]
        verbose_name_plural = "identities"

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class CustomerMerge(models.Model):
    """The record of one merge: who was merged into whom, by whom, and what moved."""

    source_id = models.BigIntegerField()
    target = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="merges")
    merged_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moved = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.source_id} into #{self.target_id}"


class ConsentStatus(models.TextChoices):
    OPTED_IN = "opted_in", "Opted in"
    OPTED_OUT = "opted_out", "Opted out"


class Consent(models.Model):
    """A customer's say on being contacted at one identity over one channel
    (an SMS STOP, a WhatsApp opt-in, a marketing checkbox), with where it came from."""

    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(max_length=16)  # sms, whatsapp, email, voice
    # The business endpoint the consent was given to (a Twilio number), or "" for all.
    scope = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=ConsentStatus.choices)
    source = models.CharField(max_length=255, blank=True)  # e.g. "inbound SMS keyword STOP"
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["identity", "channel", "scope"],
                name="consent_unique_identity_channel_scope",
            )
        ]

    def __str__(self) -> str:
        return f"{self.identity} {self.channel} {self.status}"
