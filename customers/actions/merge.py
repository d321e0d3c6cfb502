"""Merging two customer records into one: nothing lost, the merge recorded."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from conversations.actions.timeline import CUSTOMER_MERGED, record_event
from conversations.models import Conversation, Interaction
from conversations.notify import notify_conversation
from customers.models import Customer, CustomerMerge, Identity


class MergeError(ValueError):
    pass


def do_merge_customers(*, target: Customer, source: Customer, by: User | None) -> CustomerMerge:
    """Move `source`'s identities, conversations and interactions to `target`."""
    if target.pk == source.pk:
        raise MergeError("A customer cannot be merged into itself.")
    with transaction.atomic():
        # Lock both in id order so two opposite merges cannot deadlock.
        locked = {
            c.pk: c
            for c in Customer.objects.select_for_update(no_key=True)
            .filter(pk__in=[target.pk, source.pk])
            .order_by("pk")
        }
        target, source = locked[target.pk], locked[source.pk]
        if source.merged_into_id or target.merged_into_id:
            raise MergeError("One of these customers was already merged.")
        identity_ids = list(source.identities.values_list("pk", flat=True))
        conversation_ids = list(source.conversations.values_list("pk", flat=True))
        Identity.objects.filter(pk__in=identity_ids).update(customer=target)
        Conversation.objects.filter(pk__in=conversation_ids).update(customer=target)
        Interaction.objects.filter(customer=source).update(customer=target)
        _merge_profile(target, source)
        source.merged_into = target
        source.save(update_fields=["merged_into", "updated_at"])
        merge = CustomerMerge.objects.create(
            source_id=source.pk,
            target=target,
            merged_by=by if by is not None and by.pk else None,
            moved={
                "identities": identity_ids,
                "conversations": conversation_ids,
                "source_name": source.name,
            },
        )
        label = source.name or f"customer #{source.pk}"
        for conversation in Conversation.objects.filter(pk__in=conversation_ids).select_related(
            "customer"
        ):
            record_event(
                conversation,
                CUSTOMER_MERGED,
                f"{label} was merged into {target.name or f'customer #{target.pk}'}",
                by=by,
                meta={"source_id": source.pk, "target_id": target.pk},
            )
            notify_conversation(conversation)
    return merge


def _merge_profile(target: Customer, source: Customer) -> None:
    target.attributes = {**source.attributes, **target.attributes}
    target.tags = sorted(set(target.tags) | set(source.tags))
    if source.notes:
        target.notes = f"{target.notes}\n\n{source.notes}".strip() if target.notes else source.notes
    target.name = target.name or source.name
    target.language = target.language or source.language
    target.preferred_channel = target.preferred_channel or source.preferred_channel
    target.save()
