"""What an agent does from the page: reply or note, change the conversation, merge or
split, run a macro, retry a failed reply, mark read. Each calls the domain's action and
answers JSON ({"ok": true, ...} or {"ok": false, "error": "..."} with a 4xx)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from conversations.access import access_conversation, visible_conversations
from conversations.actions.merge import (
    ConversationMergeError,
    do_merge_conversations,
    do_split_conversation,
)
from conversations.actions.reads import do_mark_read
from conversations.actions.reply import OutgoingFile, ReplyError, do_retry_reply, do_send_reply
from conversations.actions.update import do_update_conversation
from conversations.models import Conversation, ConversationStatus, Interaction
from conversations.queries import visible_interaction, with_payload_relations
from macros.access import access_shared
from macros.actions import MacroFailed, do_apply_macro
from macros.models import Macro
from workspace.forms import OtherForm, ReplyForm, SplitForm, UpdateForm, first_error
from workspace.notifications import do_add_note_with_mentions
from workspace.present import item_of
from workspace.web import agent_page, done, me, refused

MAX_UPLOADS = 10


def _item_html(request: HttpRequest, interaction_id: int) -> str:
    interaction = with_payload_relations(Interaction.objects.filter(pk=interaction_id)).get()
    return render_to_string("workspace/partials/timeline_item.html",
                            {"item": item_of(interaction)}, request=request)


def _files(request: HttpRequest) -> list[OutgoingFile]:
    return [OutgoingFile(f.name or "attachment", f.content_type or "application/octet-stream",
                         f.read())
            for f in request.FILES.getlist("attachments")[:MAX_UPLOADS + 1]]


@agent_page
@require_POST
def reply(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """A reply on a channel, or an internal note (with @mentions)."""
    conversation = access_conversation(request.user, conversation_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return refused(first_error(form))
    body = form.cleaned_data["body"]
    if not body.strip():
        return refused("Write something first.")
    if form.cleaned_data["mode"] == "note":
        note, notified = do_add_note_with_mentions(conversation=conversation,
                                                   author=me(request), text=body)
        return done(id=note.pk, html=_item_html(request, note.pk),
                    notified=[u.username for u in notified])
    meta: dict[str, object] = {}
    if form.cleaned_data["template_sid"]:
        meta["whatsapp_template"] = {"content_sid": form.cleaned_data["template_sid"],
                                     "variables": {}}
    try:
        sent = do_send_reply(conversation=conversation, author=me(request), text=body,
                             channel=form.cleaned_data["channel"] or None, meta=meta or None,
                             attachments=_files(request))
    except ReplyError as exc:
        return refused(str(exc))
    do_mark_read(request.user, conversation.pk)
    return done(id=sent.pk, html=_item_html(request, sent.pk))


@agent_page
@require_POST
def update(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Status (snooze until a time), assignee, team, priority, a tag added or removed."""
    conversation = access_conversation(request.user, conversation_id)
    form = UpdateForm(request.POST)
    if not form.is_valid():
        return refused(first_error(form))
    data = form.cleaned_data
    changes: dict[str, Any] = {}
    if data["status"]:
        changes["status"] = data["status"]
        if data["status"] == ConversationStatus.SNOOZED:
            if data["snooze_until"] is None:
                return refused("Choose until when to snooze.")
            changes["snoozed_until"] = data["snooze_until"]
    if "assignee" in request.POST:
        changes["assignee"] = data["assignee"] or None
    if "team" in request.POST:
        changes["team"] = data["team"] or None
    if data["priority"] is not None:
        changes["priority"] = data["priority"]
    tags = list(conversation.tags)
    if data["add_tag"].strip():
        tags = [*tags, data["add_tag"].strip().lstrip("#")]
    if data["remove_tag"].strip():
        tags = [t for t in tags if t != data["remove_tag"].strip()]
    if tags != list(conversation.tags):
        changes["tags"] = tags
    if not changes:
        return refused("Nothing to change.")
    try:
        do_update_conversation(conversation, by=me(request), changes=changes)
    except ValueError as exc:
        return refused(str(exc))
    return done()


@agent_page
@require_POST
def merge(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Merge conversation `other` into this one."""
    conversation = access_conversation(request.user, conversation_id)
    form = OtherForm(request.POST)
    if not form.is_valid():
        return refused(first_error(form))
    other = visible_conversations(request.user).filter(pk=form.cleaned_data["other"]).first()
    if other is None:
        return refused("There is no such conversation that you may see.", 404)
    try:
        do_merge_conversations(target=conversation, source=other, by=me(request))
    except ConversationMergeError as exc:
        return refused(str(exc))
    return done(url=reverse("conversation", args=[conversation.pk]))


@agent_page
@require_POST
def split(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Move messages (or calls) into a new conversation of the same customer."""
    conversation = access_conversation(request.user, conversation_id)
    form = SplitForm(request.POST)
    if not form.is_valid():
        return refused(first_error(form))
    try:
        new = do_split_conversation(conversation=conversation,
                                    interaction_ids=form.cleaned_data["interactions"],
                                    by=me(request))
    except ConversationMergeError as exc:
        return refused(str(exc))
    return done(url=reverse("conversation", args=[new.pk]), id=new.pk)


@agent_page
@require_POST
def apply_macro(request: HttpRequest, conversation_id: int, macro_id: int) -> HttpResponse:
    conversation = access_conversation(request.user, conversation_id)
    macro = access_shared(request.user, Macro, macro_id)
    try:
        steps = do_apply_macro(macro, Conversation.objects.get(pk=conversation.pk),
                               by=me(request))
    except MacroFailed as exc:
        return refused(str(exc))
    return done(done=steps)


@agent_page
@require_POST
def retry(request: HttpRequest, interaction_id: int) -> HttpResponse:
    interaction = visible_interaction(request.user, interaction_id)
    if interaction is None:
        return refused("No such message.", 404)
    try:
        do_retry_reply(interaction, by=me(request))
    except ReplyError as exc:
        return refused(str(exc))
    return done(id=interaction.pk, html=_item_html(request, interaction.pk))


@agent_page
@require_POST
def mark_read(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = access_conversation(request.user, conversation_id)
    do_mark_read(request.user, conversation.pk)
    return HttpResponse(status=204)
