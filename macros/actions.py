"""Writes of canned responses and macros, and running a macro on a conversation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from agents.models import Team
from conversations.actions.note import do_add_note
from conversations.actions.reply import ReplyError, do_send_reply
from conversations.actions.update import do_update_conversation
from conversations.models import Conversation, ConversationStatus
from macros.models import CannedResponse, Macro
from macros.steps import clean_steps
from macros.variables import fill, values_for

CANNED_FIELDS = ("name", "shortcut", "body", "owner", "team")
MACRO_FIELDS = ("name", "description", "actions", "owner", "team")


class MacroFailed(ValueError):
    """A step could not run; nothing of the macro was applied. The message says which."""


def _apply_fields(item: Any, fields: tuple[str, ...], changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        if key in fields:
            setattr(item, key, value)
    if item.owner_id is not None:
        item.team = None  # personal wins: one scope each


def do_save_canned(item: CannedResponse | None, **changes: Any) -> CannedResponse:
    with transaction.atomic():
        item = item or CannedResponse()
        _apply_fields(item, CANNED_FIELDS, changes)
        item.save()
    return item


def do_save_macro(item: Macro | None, **changes: Any) -> Macro:
    """ValueError when a step is malformed."""
    if "actions" in changes:
        changes["actions"] = clean_steps(changes["actions"])
    with transaction.atomic():
        item = item or Macro()
        _apply_fields(item, MACRO_FIELDS, changes)
        item.save()
    return item


def do_delete_shared(item: CannedResponse | Macro) -> None:
    with transaction.atomic():
        item.delete()


def do_apply_macro(macro: Macro, conversation: Conversation, *, by: User) -> list[str]:
    """Run every step in order in one transaction: all or nothing. Returns what was done,
    one line a step; MacroFailed says which step could not run."""
    done: list[str] = []
    values = values_for(conversation, by)
    with transaction.atomic():
        conv = Conversation.objects.select_related("customer").get(pk=conversation.pk)
        for n, step in enumerate(clean_steps(macro.actions), start=1):
            try:
                done.append(_run(step, conv, by, values))
            except (ReplyError, ValueError) as exc:
                raise MacroFailed(f"{macro.name}, step {n}: {exc}") from exc
            conv.refresh_from_db()
    return done


def _run(step: dict[str, Any], conv: Conversation, by: User, values: dict[str, str]) -> str:
    kind = step["type"]
    if kind == "reply":
        reply = do_send_reply(conversation=conv, author=by, text=fill(step["text"], values),
                              channel=step.get("channel") or None)
        return f"Replied by {reply.channel}"
    if kind == "note":
        do_add_note(conversation=conv, author=by, text=fill(step["text"], values))
        return "Added a note"
    changes: dict[str, Any] = {}
    if kind == "add_tags":
        changes["tags"] = sorted(set(conv.tags) | set(step["tags"]))
    elif kind == "remove_tags":
        changes["tags"] = [t for t in conv.tags if t not in step["tags"]]
    elif kind == "status":
        changes["status"] = step["status"]
        if step["status"] == ConversationStatus.SNOOZED:
            changes["snoozed_until"] = timezone.now() + timedelta(hours=step["snooze_hours"])
    elif kind == "assign":
        user = None
        if step["user_id"] is not None:
            user = get_user_model().objects.filter(pk=step["user_id"], is_active=True,
                                                   agent__isnull=False).first()
            if user is None:
                raise ValueError("the agent to assign to is gone")
        changes["assignee"] = user
    elif kind == "team":
        team = None
        if step["team_id"] is not None:
            team = Team.objects.filter(pk=step["team_id"]).first()
            if team is None:
                raise ValueError("the team is gone")
        changes["team"] = team
    elif kind == "priority":
        changes["priority"] = step["priority"]
    do_update_conversation(conv, by=by, changes=changes)
    return kind.replace("_", " ").capitalize()
