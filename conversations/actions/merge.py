"""Merging two conversations of one customer, and splitting messages off into a new one.

Agents use these when threading got it wrong: two emails about one matter that started
two conversations, or a reply about something new glued onto an old thread.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max, Min

from conversations.actions.timeline import (
    CONVERSATION_MERGED,
    CONVERSATION_SPLIT,
    STATUS_CHANGED,
    record_event,
)
from conversations.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Interaction,
    InteractionKind,
)
from conversations.notify import notify_conversation


class ConversationMergeError(ValueError):
    pass


def do_merge_conversations(
    *, target: Conversation, source: Conversation, by: User | None
) -> Conversation:
    """Move every interaction of `source` into `target`; `source` is resolved and says
    where its history went."""
    if target.pk == source.pk:
        raise ConversationMergeError("A conversation cannot be merged into itself.")
    with transaction.atomic():
        locked = {
            c.pk: c
            for c in Conversation.objects.select_for_update(no_key=True)
            .filter(pk__in=[target.pk, source.pk])
            .order_by("pk")
        }
        target, source = locked[target.pk], locked[source.pk]
        if target.customer_id != source.customer_id:
            raise ConversationMergeError(
                "These conversations belong to different customers; merge the customers first."
            )
        moved = list(source.interactions.values_list("pk", flat=True))
        Interaction.objects.filter(pk__in=moved).update(conversation=target)
        _absorb(target, source)
        _recompute_inbound_times(target)
        target.save()
        record_event(
            target,
            CONVERSATION_MERGED,
            f"Conversation #{source.pk} was merged into this one",
            by=by,
            meta={"source_id": source.pk, "moved": len(moved)},
        )
        record_event(
            source,
            CONVERSATION_MERGED,
            f"Merged into conversation #{target.pk}",
            by=by,
            meta={"target_id": target.pk, "moved": len(moved)},
        )
        if source.status != ConversationStatus.RESOLVED:
            source.status = ConversationStatus.RESOLVED
            source.snoozed_until = None
        source.awaiting_since = None
        source.awaiting_channel = ""
        source.save()
        notify_conversation(target)
        notify_conversation(source)
    return target


def do_split_conversation(
    *, conversation: Conversation, interaction_ids: Iterable[int], by: User | None
) -> Conversation:
    """Move the chosen messages and calls of `conversation` into a new conversation of
    the same customer."""
    wanted = sorted(set(interaction_ids))
    if not wanted:
        raise ConversationMergeError("Choose the messages to split off.")
    with transaction.atomic():
        source = Conversation.objects.select_for_update(no_key=True).get(pk=conversation.pk)
        chosen = list(
            Interaction.objects.filter(
                conversation=source,
                pk__in=wanted,
                kind__in=[InteractionKind.MESSAGE, InteractionKind.CALL],
            ).order_by("occurred_at", "id")
        )
        if len(chosen) != len(wanted):
            raise ConversationMergeError(
                "Only messages and calls of this conversation can be split off."
            )
        if source.interactions.filter(
            kind__in=[InteractionKind.MESSAGE, InteractionKind.CALL]
        ).count() == len(chosen):
            raise ConversationMergeError("Leave at least one message in this conversation.")
        first = chosen[0]
        split = Conversation.objects.create(
            customer_id=source.customer_id,
            team_id=source.team_id,
            priority=source.priority,
            subject=first.subject or source.subject,
            channels=sorted({i.channel for i in chosen}),
            last_activity_at=chosen[-1].occurred_at,
        )
        Interaction.objects.filter(pk__in=[i.pk for i in chosen]).update(conversation=split)
        for conv in (split, source):
            _recompute_inbound_times(conv)
            conv.save()
        record_event(
            split,
            CONVERSATION_SPLIT,
            f"Split off from conversation #{source.pk}",
            by=by,
            meta={"source_id": source.pk, "interactions": [i.pk for i in chosen]},
        )
        record_event(
            source,
            CONVERSATION_SPLIT,
            f"{len(chosen)} message(s) split off into conversation #{split.pk}",
            by=by,
            meta={"split_id": split.pk, "interactions": [i.pk for i in chosen]},
        )
        notify_conversation(split, created=True)
        notify_conversation(source)
    return split


def _absorb(target: Conversation, source: Conversation) -> None:
    target.channels = [*target.channels, *[c for c in source.channels if c not in target.channels]]
    target.tags = sorted(set(target.tags) | set(source.tags))
    target.participants = [
        *target.participants,
        *[p for p in source.participants if p not in target.participants],
    ]
    target.priority = max(target.priority, source.priority)
    target.subject = target.subject or source.subject
    target.last_activity_at = max(target.last_activity_at, source.last_activity_at)
    if source.awaiting_since and (
        target.awaiting_since is None or source.awaiting_since < target.awaiting_since
    ):
        target.awaiting_since = source.awaiting_since
        target.awaiting_channel = source.awaiting_channel
    if (
        target.status == ConversationStatus.RESOLVED
        and source.status != ConversationStatus.RESOLVED
    ):
        record_event(
            target,
            STATUS_CHANGED,
            "Reopened by a merge",
            meta={"from": target.status, "to": ConversationStatus.OPEN},
        )
        target.status = ConversationStatus.OPEN
        target.resolved_at = None


def _recompute_inbound_times(conversation: Conversation) -> None:
    """First/last inbound and the last inbound channel follow the messages that moved."""
    inbound = Interaction.objects.filter(conversation=conversation, direction=Direction.INBOUND)
    bounds = inbound.aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    conversation.first_inbound_at = bounds["first"]
    conversation.last_inbound_at = bounds["last"]
    latest = inbound.order_by("-occurred_at", "-id").first()
    conversation.last_inbound_channel = latest.channel if latest else ""
    conversation.last_inbound_inbox_id = latest.inbox_id if latest else None
