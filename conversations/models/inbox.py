from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import models


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class Inbox(models.Model):
    """One configured endpoint: a mailbox, a Twilio number, a chat widget, an API source."""

    kind = models.CharField(max_length=10)  # a registered inbox kind (conversations.channels)
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    # The endpoint's address: an email address, an E.164 number, a widget's site.
    address = models.CharField(max_length=255, blank=True, db_index=True)
    team = models.ForeignKey(
        "agents.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="inboxes"
    )
    config = models.JSONField(default=dict, blank=True)
    # Provider credentials and signing keys. Never serialized by the API.
    secrets = models.JSONField(default=dict, blank=True)
    # Authenticates pushes into an API inbox and signs what omnidesk sends back.
    token = models.CharField(max_length=64, unique=True, default=_new_token)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "inboxes"

    def __str__(self) -> str:
        return f"{self.name} ({self.kind_label})"

    @property
    def kind_label(self) -> str:
        from conversations.channels import UnknownChannel, inbox_kind_spec

        try:
            return inbox_kind_spec(self.kind).label
        except UnknownChannel:
            return self.kind

    def clean(self) -> None:
        from conversations.channels import validate_inbox_config

        try:
            self.config = validate_inbox_config(self.kind, self.config)
        except ValueError as exc:
            raise ValidationError({"config": str(exc)}) from exc
