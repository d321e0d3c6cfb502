"""Notifications for one agent: a mention in a note, a conversation assigned to them, an
SLA target of their conversation (or, unassigned, their team's) at risk or breached.
Written in the change's transaction (a row, and the `notification.created` event to that
agent alone), so a reload finds what the page showed live."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from conversations.access import visible_conversations
from conversations.actions.note import do_add_note
from conversations.models import Conversation, Interaction
from conversations.payloads import display_name, iso
from realtime import events
from realtime.audience import Audience
from realtime.publish import publish
from workspace.models import Notification, NotificationKind

# @username: Django's username characters.
MENTION = re.compile(r"(?<![\w@])@([\w.@+-]{1,150})")
MAX_MENTIONS = 20
LIST_SIZE = 20


def notification_payload(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "text": notification.text,
        "conversation_id": notification.conversation_id,
        "interaction_id": notification.interaction_id,
        "url": reverse("conversation", args=[notification.conversation_id]),
        "created_at": iso(notification.created_at),
        "read": notification.read_at is not None,
    }


def _create(recipient_id: int, kind: str, conversation_id: int, text: str, *,
            actor: User | None = None, interaction: Interaction | None = None) -> Notification:
    notification = Notification.objects.create(
        recipient_id=recipient_id, kind=kind, conversation_id=conversation_id, text=text[:300],
        actor=actor if actor is not None and actor.pk else None, interaction=interaction,
    )
    publish(events.NOTIFICATION_CREATED, notification_payload(notification),
            Audience.agent(recipient_id))
    return notification


def mentioned_users(text: str) -> list[User]:
    """The active agents a text names with @username, in the order named."""
    names = list(dict.fromkeys(m.lower() for m in MENTION.findall(text)))[:MAX_MENTIONS]
    if not names:
        return []
    found = {
        u.username.lower(): u
        for u in get_user_model().objects.filter(
            username__iregex=r"^(" + "|".join(re.escape(n) for n in names) + r")$",
            is_active=True, agent__isnull=False,
        )
    }
    return [found[n] for n in names if n in found]


def do_add_note_with_mentions(
    *, conversation: Conversation, author: User, text: str
) -> tuple[Interaction, list[User]]:
    """The note, and a notification for each agent it mentions who may see the
    conversation (one who may not is not told: that would leak it). Returns who was
    notified."""
    with transaction.atomic():
        note = do_add_note(conversation=conversation, author=author, text=text)
        notified = []
        for user in mentioned_users(text):
            if user.pk == author.pk:
                continue
            if not visible_conversations(user).filter(pk=conversation.pk).exists():
                continue
            _create(user.pk, NotificationKind.MENTION, conversation.pk,
                    f"{display_name(author)} mentioned you: {text[:200]}",
                    actor=author, interaction=note)
            notified.append(user)
    return note, notified


def notify_assignment(conversation_id: int, assignee_id: int, by_id: int | None) -> None:
    """conversations.hooks.after_assign: inside the assignment's transaction."""
    if by_id == assignee_id:
        return  # taking a conversation yourself tells you nothing
    conversation = Conversation.objects.select_related("customer").get(pk=conversation_id)
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    who = display_name(by) if by is not None else "Routing"
    name = conversation.customer.name or f"conversation #{conversation_id}"
    _create(assignee_id, NotificationKind.ASSIGNMENT, conversation_id,
            f"{who} assigned you {name}" + (f": {conversation.subject}"
                                            if conversation.subject else ""),
            actor=by)


# routing's timeline events (routing.actions.timers), as the notification kinds.
SLA_EVENTS = {"sla_at_risk": NotificationKind.SLA_AT_RISK,
              "sla_breached": NotificationKind.SLA_BREACHED}
SLA_TITLES = {NotificationKind.SLA_AT_RISK: "SLA at risk",
              NotificationKind.SLA_BREACHED: "SLA breached"}


def sla_recipients(conversation: Conversation) -> list[int]:
    """The assignee; unassigned, the active agents of the conversation's team."""
    users = get_user_model().objects.filter(is_active=True, agent__isnull=False)
    if conversation.assignee_id is not None:
        users = users.filter(pk=conversation.assignee_id)
    elif conversation.team_id is not None:
        users = users.filter(agent__teams=conversation.team_id)
    else:
        return []
    return list(users.order_by("pk").values_list("pk", flat=True).distinct())


def notify_sla_event(conversation: Conversation, event: Interaction) -> None:
    """conversations.hooks.after_event: routing's `sla_at_risk` / `sla_breached` timeline
    events become notifications, inside the event's transaction."""
    kind = SLA_EVENTS.get(event.event_type or "")
    if kind is None:
        return
    name = conversation.customer.name or f"conversation #{conversation.pk}"
    for user_id in sla_recipients(conversation):
        _create(user_id, kind, conversation.pk, f"{SLA_TITLES[kind]}: {name}. {event.text}",
                interaction=event)


def recent_notifications(user: Any) -> tuple[list[Notification], int]:
    """The newest notifications and the unread count: two queries."""
    items = list(Notification.objects.filter(recipient_id=user.pk)[:LIST_SIZE])
    unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
    return items, unread


def do_mark_notifications_read(user: Any, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (only `ids`, when given)."""
    with transaction.atomic():
        qs = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        return qs.update(read_at=timezone.now())
