"""Recording a customer's consent to be contacted (an SMS STOP or START, a WhatsApp
opt-in), one row per (identity, channel, scope), with where it came from."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from customers.models import Consent, Identity


def do_record_consent(
    identity: Identity,
    *,
    channel: str,
    scope: str,
    status: str,
    source: str,
    at: datetime | None = None,
) -> Consent:
    """Upsert the consent; an older statement (`at` before the recorded one) never
    overrides a newer one."""
    at = at or timezone.now()
    with transaction.atomic():
        # The unique constraint decides between two racing first statements;
        # get_or_create reads the winner's row when its insert loses.
        consent, created = Consent.objects.select_for_update(no_key=True).get_or_create(
            identity=identity,
            channel=channel,
            scope=scope,
            defaults={"status": status, "source": source[:255], "changed_at": at},
        )
        if not created and at >= consent.changed_at:
            consent.status = status
            consent.source = source[:255]
            consent.changed_at = at
            consent.save(update_fields=["status", "source", "changed_at"])
    return consent
