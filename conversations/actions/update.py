"""Status, assignment, team, priority and tag changes, each leaving a timeline event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from agents.models import Team
from conversations import hooks
from conversations.actions.timeline import (
    ASSIGNED,
    PRIORITY_CHANGED,
    STATUS_CHANGED,
    TAGS_CHANGED,
    TEAM_CHANGED,
    record_event,
)
from conversations.models import Conversation, ConversationStatus, Priority
from conversations.notify import conversation_audience, notify_conversation


def _name(user: User | None) -> str:
    if user is None:
        return "omnidesk"
    full = getattr(user, "get_full_name", lambda: "")()
    return full or user.get_username()


def do_update_conversation(
    conversation: Conversation,
    *,
    by: User | None,
    changes: dict[str, Any],
) -> Conversation:
    """Apply any of status (with snoozed_until), assignee, team, priority, tags at once."""
    with transaction.atomic():
        conv = Conversation.objects.select_for_update(no_key=True).get(pk=conversation.pk)
        _apply(conv, by, changes)
    return conv


def do_wake_snoozed(conversation_id: int) -> bool:
    """Reopen a snoozed conversation whose time has come. The condition is checked under
    the row lock, so an agent who resolved or re-snoozed it meanwhile wins."""
    with transaction.atomic():
        conv = (
            Conversation.objects.select_for_update(no_key=True)
            .filter(
                pk=conversation_id,
                status=ConversationStatus.SNOOZED,
                snoozed_until__lte=timezone.now(),
            )
            .first()
        )
        if conv is None:
            return False
        _apply(conv, None, {"status": ConversationStatus.OPEN})
    return True


def _apply(conv: Conversation, by: User | None, changes: dict[str, Any]) -> None:
    """The changes on the locked row, each with its timeline event; saved and published
    if anything changed."""
    before = conversation_audience(conv)
    queued_before = waiting_in(conv)
    changed = resolved = False
    if "status" in changes:
        changed |= _change_status(conv, changes["status"], changes.get("snoozed_until"), by)
        resolved = changed and conv.status == ConversationStatus.RESOLVED
    if "assignee" in changes:
        changed |= _change_assignee(conv, changes["assignee"], by)
    if "team" in changes:
        changed |= _change_team(conv, changes["team"], by)
    if "priority" in changes:
        changed |= _change_priority(conv, changes["priority"], by)
    if "tags" in changes:
        changed |= _change_tags(conv, changes["tags"], by)
    if changed:
        conv.last_activity_at = max(conv.last_activity_at, timezone.now())
        conv.save()
        hooks.run_after_change(conv)
        if resolved:
            hooks.run_after_resolve(conv)
        queued = waiting_in(conv)
        if queued is not None and queued != queued_before:
            hooks.run_after_requeue(conv)
        notify_conversation(conv, previous=before)


def waiting_in(conv: Conversation) -> int | None:
    """The team whose queue the conversation waits in (open, in a team, unassigned)."""
    if conv.status != ConversationStatus.OPEN or conv.assignee_id is not None:
        return None
    return conv.team_id


def _change_status(
    conv: Conversation, status: str, snoozed_until: datetime | None, by: User | None
) -> bool:
    if status not in ConversationStatus.values:
        raise ValueError(f"unknown status {status!r}")
    if status == ConversationStatus.SNOOZED and snoozed_until is None:
        raise ValueError("snoozing needs snoozed_until")
    if status == conv.status and snoozed_until == conv.snoozed_until:
        return False
    record_event(
        conv,
        STATUS_CHANGED,
        f"{_name(by)} changed the status from {conv.status} to {status}",
        by=by,
        meta={"from": conv.status, "to": status},
    )
    conv.status = status
    conv.snoozed_until = snoozed_until if status == ConversationStatus.SNOOZED else None
    conv.resolved_at = timezone.now() if status == ConversationStatus.RESOLVED else None
    return True


def _change_assignee(conv: Conversation, assignee: User | None, by: User | None) -> bool:
    new_id = assignee.pk if assignee is not None else None
    if new_id == conv.assignee_id:
        return False
    text = (
        f"{_name(by)} assigned the conversation to {_name(assignee)}"
        if assignee
        else f"{_name(by)} unassigned the conversation"
    )
    record_event(conv, ASSIGNED, text, by=by, meta={"from": conv.assignee_id, "to": new_id})
    conv.assignee_id = new_id
    if new_id is not None:
        hooks.run_after_assign(conv.pk, new_id, by.pk if by is not None else None)
    return True


def _change_team(conv: Conversation, team: Team | None, by: User | None) -> bool:
    new_id = team.pk if team is not None else None
    if new_id == conv.team_id:
        return False
    text = f"{_name(by)} moved the conversation to {team.name if team else 'no team'}"
    record_event(conv, TEAM_CHANGED, text, by=by, meta={"from": conv.team_id, "to": new_id})
    conv.team_id = new_id
    return True


def _change_priority(conv: Conversation, priority: int, by: User | None) -> bool:
    if priority not in Priority.values:
        raise ValueError(f"unknown priority {priority!r}")
    if priority == conv.priority:
        return False
    text = f"{_name(by)} set the priority to {Priority(priority).label}"
    record_event(conv, PRIORITY_CHANGED, text, by=by, meta={"from": conv.priority, "to": priority})
    conv.priority = priority
    return True


def _change_tags(conv: Conversation, tags: list[str], by: User | None) -> bool:
    clean = sorted({t.strip()[:50] for t in tags if t and t.strip()})
    if clean == sorted(conv.tags):
        return False
    added = sorted(set(clean) - set(conv.tags))
    removed = sorted(set(conv.tags) - set(clean))
    text = (
        f"{_name(by)} changed the tags"
        + (f", added {', '.join(added)}" if added else "")
        + (f", removed {', '.join(removed)}" if removed else "")
    )
    record_event(conv, TAGS_CHANGED, text, by=by, meta={"added": added, "removed": removed})
    conv.tags = clean
    return True
