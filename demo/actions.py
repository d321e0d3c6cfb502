"""Demo-only writes: history that already happened, dated in the past.

The demo's inbound messages go through the real pipeline (`do_record_inbound`). What an
agent did in the past cannot: `do_send_reply` queues a real send to the customer, and
`do_update_conversation` / `do_add_note` date everything "now". These actions write the
same rows the real actions write (reusing conversations.actions.reply's inbox,
recipient and response-time bookkeeping), but at a given past moment, with outbound
messages already delivered and nothing sent anywhere. Nothing outside demo/ calls them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction

from agents.models import Agent, Team
from conversations import hooks
from conversations.actions.reply import _mark_answered, _recipient, _reply_inbox, _reply_subject
from conversations.actions.timeline import (
    ASSIGNED,
    PRIORITY_CHANGED,
    STATUS_CHANGED,
    TAGS_CHANGED,
    TEAM_CHANGED,
    record_event,
)
from conversations.models import (
    Channel,
    Conversation,
    ConversationStatus,
    Direction,
    Inbox,
    Interaction,
    InteractionKind,
    Priority,
    Status,
)
from conversations.notify import notify_conversation, notify_interaction


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    team_slugs: tuple[str, ...] = ()
    superuser: bool = False


@dataclass(frozen=True)
class DemoInbox:
    kind: str
    name: str
    slug: str
    address: str
    team_slug: str
    config: dict[str, object]
    secrets: dict[str, str]


def do_create_demo_setup(
    *, teams: list[tuple[str, str]], users: list[DemoUser], inboxes: list[DemoInbox], password: str
) -> None:
    """Teams, agents with their roles and teams, and one inbox of each kind."""
    with transaction.atomic():
        by_slug = {slug: Team.objects.create(name=name, slug=slug) for name, slug in teams}
        for spec in users:
            user = User.objects.create_user(
                spec.username,
                f"{spec.username}@omnidesk.demo",
                password,
                first_name=spec.first_name,
                last_name=spec.last_name,
                is_staff=spec.superuser,
                is_superuser=spec.superuser,
            )
            agent = Agent.objects.create(user=user, role=spec.role)
            agent.teams.set([by_slug[slug] for slug in spec.team_slugs])
        for box in inboxes:
            Inbox.objects.create(
                kind=box.kind,
                name=box.name,
                slug=box.slug,
                address=box.address,
                team=by_slug[box.team_slug],
                config=box.config,
                secrets=box.secrets,
            )


def do_record_demo_reply(
    *, conversation: Conversation, author: User, text: str, channel: str, at: datetime,
    provider_id: str | None = None,
) -> Interaction:
    """An agent's reply that went out and was delivered at `at`: the same row and the
    same response-time bookkeeping as do_send_reply, without queueing a send."""
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        inbox = _reply_inbox(conversation, channel)
        recipient = _recipient(conversation, channel, inbox)
        reply = Interaction.objects.create(
            conversation=conversation,
            customer_id=conversation.customer_id,
            inbox=inbox,
            channel=channel,
            direction=Direction.OUTBOUND,
            kind=InteractionKind.MESSAGE,
            author_agent=author,
            text=text,
            subject=_reply_subject(conversation)[:500] if channel == Channel.EMAIL else "",
            provider_id=provider_id,
            status=Status.DELIVERED,
            meta={"demo": True, "to": recipient.value, "to_identity_id": recipient.pk},
            occurred_at=at,
        )
        _mark_answered(conversation, at)
        notify_interaction(reply)
        notify_conversation(conversation)
        conversation_id, reply_id = conversation.pk, reply.pk
        transaction.on_commit(lambda: hooks.run_after_reply(conversation_id, reply_id))
    return reply


def do_record_demo_note(
    *, conversation: Conversation, author: User, text: str, at: datetime
) -> Interaction:
    """An internal note written at `at` (do_add_note dates its notes now)."""
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        note = Interaction.objects.create(
            conversation=conversation,
            customer_id=conversation.customer_id,
            channel=Channel.INTERNAL,
            direction=Direction.INTERNAL,
            kind=InteractionKind.NOTE,
            author_agent=author,
            text=text,
            occurred_at=at,
        )
        conversation.last_activity_at = max(conversation.last_activity_at, at)
        conversation.save(update_fields=["last_activity_at", "updated_at"])
        notify_interaction(note)
        notify_conversation(conversation)
    return note


def do_set_demo_state(
    conversation: Conversation,
    *,
    by: User,
    at: datetime,
    status: str | None = None,
    team: Team | None = None,
    assignee: User | None = None,
    priority: int | None = None,
    tags: list[str] | None = None,
) -> Conversation:
    """Status, team, assignee, priority and tags as an agent set them at `at`, each change
    leaving the timeline event do_update_conversation would leave."""
    with transaction.atomic():
        conv = Conversation.objects.select_for_update().get(pk=conversation.pk)
        who = by.get_full_name() or by.get_username()
        if team is not None and team.pk != conv.team_id:
            record_event(conv, TEAM_CHANGED, f"{who} moved the conversation to {team.name}", by=by,
                         meta={"from": conv.team_id, "to": team.pk}, at=at)
            conv.team = team
        if assignee is not None and assignee.pk != conv.assignee_id:
            name = assignee.get_full_name() or assignee.get_username()
            record_event(conv, ASSIGNED, f"{who} assigned the conversation to {name}", by=by,
                         meta={"from": conv.assignee_id, "to": assignee.pk}, at=at)
            conv.assignee = assignee
        if priority is not None and priority != conv.priority:
            label = Priority(priority).label
            record_event(conv, PRIORITY_CHANGED, f"{who} set the priority to {label}",
                         by=by, meta={"from": conv.priority, "to": priority}, at=at)
            conv.priority = priority
        if tags is not None and sorted(tags) != sorted(conv.tags):
            added = sorted(set(tags) - set(conv.tags))
            record_event(conv, TAGS_CHANGED, f"{who} changed the tags, added {', '.join(added)}",
                         by=by, meta={"added": added, "removed": []}, at=at)
            conv.tags = sorted(set(tags))
        if status is not None and status != conv.status:
            record_event(conv, STATUS_CHANGED,
                         f"{who} changed the status from {conv.status} to {status}", by=by,
                         meta={"from": conv.status, "to": status}, at=at)
            conv.status = status
            conv.resolved_at = at if status == ConversationStatus.RESOLVED else None
        conv.last_activity_at = max(conv.last_activity_at, at)
        conv.save()
        notify_conversation(conv)
    return conv
