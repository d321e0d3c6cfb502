"""Demo-only writes: history that already happened, dated in the past.

The demo's inbound messages go through the real pipeline (`do_record_inbound`), its
replies through `do_record_sent_reply` and its notes through `do_add_note(at=...)`. What
is left here: the set-up of users, teams and inboxes, and conversation changes dated in
the past (`do_update_conversation` dates its timeline events now), writing the same rows
and events as the real action. Nothing outside demo/ calls these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction

from agents.models import Agent, Team
from conversations.actions.timeline import (
    ASSIGNED,
    PRIORITY_CHANGED,
    STATUS_CHANGED,
    TAGS_CHANGED,
    TEAM_CHANGED,
    record_event,
)
from conversations.models import (
    Conversation,
    ConversationStatus,
    Inbox,
    Priority,
)
from conversations.notify import notify_conversation


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
        conv = Conversation.objects.select_for_update(no_key=True).get(pk=conversation.pk)
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
