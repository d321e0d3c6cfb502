"""Moving outbound interactions through queued -> sending -> sent -> delivered/read/failed."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from conversations.models import Direction, Inbox, Interaction, Status
from conversations.models.choices import STATUS_RANK
from conversations.notify import notify_interaction
from conversations.transports import ProviderResult


def do_claim_for_sending(interaction_id: int) -> Interaction | None:
    """Queued -> sending, once. None when it is gone or already claimed (a redelivered
    task must not send twice)."""
    with transaction.atomic():
        interaction = (
            Interaction.objects.select_for_update(no_key=True, of=("self",))
            .select_related("conversation", "inbox")
            .filter(pk=interaction_id)
            .first()
        )
        if interaction is None or interaction.status != Status.QUEUED:
            return None
        interaction.status = Status.SENDING
        interaction.send_attempts += 1
        interaction.save(update_fields=["status", "send_attempts", "updated_at"])
        notify_interaction(interaction, created=False)
    return interaction


def do_mark_sent(interaction_id: int, result: ProviderResult) -> None:
    with transaction.atomic():
        interaction = Interaction.objects.select_for_update(no_key=True).get(pk=interaction_id)
        interaction.meta = {**interaction.meta, **result.meta}
        interaction.error = ""
        _advance(interaction, result.status or Status.SENT)
        if result.provider_id:
            _save_with_provider_id(interaction, result.provider_id)
        else:
            interaction.save()
        notify_interaction(interaction, created=False)


def _save_with_provider_id(interaction: Interaction, provider_id: str) -> None:
    """The (inbox, provider id) constraint decides: a provider (an integrator's system,
    most often) that answers with an id it gave another message too still had the send
    recorded, with the id kept aside; callbacks for that id reach the first message."""
    previous = interaction.provider_id
    interaction.provider_id = provider_id
    try:
        with transaction.atomic():
            interaction.save()
    except IntegrityError:
        interaction.provider_id = previous
        interaction.meta = {**interaction.meta, "provider_id_conflict": provider_id}
        interaction.save()


def do_requeue(interaction_id: int, error: str) -> None:
    """A temporary failure: back to queued, with the error visible until the retry."""
    with transaction.atomic():
        interaction = Interaction.objects.select_for_update(no_key=True).get(pk=interaction_id)
        if interaction.status != Status.SENDING:
            return
        interaction.status = Status.QUEUED
        interaction.error = f"Retrying: {error}"
        interaction.save(update_fields=["status", "error", "updated_at"])
        notify_interaction(interaction, created=False)


def do_mark_failed(interaction_id: int, error: str, status: str = Status.FAILED) -> None:
    with transaction.atomic():
        interaction = Interaction.objects.select_for_update(no_key=True).get(pk=interaction_id)
        interaction.status = status
        interaction.error = error[:2000]
        interaction.save(update_fields=["status", "error", "updated_at"])
        notify_interaction(interaction, created=False)


def do_update_delivery(
    inbox: Inbox,
    provider_id: str,
    status: str,
    *,
    error: str = "",
    meta: dict[str, Any] | None = None,
) -> Interaction | None:
    """A provider's status callback. Out-of-order or repeated callbacks never move a
    status backwards. None when no outbound interaction has that provider id."""
    with transaction.atomic():
        interaction = (
            Interaction.objects.select_for_update(no_key=True, of=("self",))
            .select_related("conversation")
            .filter(inbox=inbox, provider_id=provider_id, direction=Direction.OUTBOUND)
            .first()
        )
        if interaction is None:
            return None
        changed = _advance(interaction, status)
        if error and error != interaction.error:
            interaction.error = error[:2000]
            changed = True
        if meta:
            merged = {**interaction.meta, **meta}
            if merged != interaction.meta:
                interaction.meta = merged
                changed = True
        if changed:
            interaction.save()
            notify_interaction(interaction, created=False)
    return interaction


def _advance(interaction: Interaction, status: str) -> bool:
    if STATUS_RANK.get(status, 0) <= STATUS_RANK.get(interaction.status, 0):
        return False
    interaction.status = status
    return True
