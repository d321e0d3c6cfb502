"""A conversation: the page (list | conversation | customer), its timeline's older pages,
an earlier conversation folded in, one timeline item and the header for live updates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from agents.models import Team
from conversations.access import access_conversation
from conversations.actions.reads import do_mark_read
from conversations.keyset import PageRequest
from conversations.models import Conversation, ConversationRead, Interaction
from conversations.params import InvalidFilter
from conversations.queries import visible_interaction
from conversations.reply_options import reply_options
from macros.access import usable
from macros.models import CannedResponse, Macro
from macros.steps import describe
from macros.variables import fill, values_for
from workspace.present import day_label, item_of, list_query
from workspace.queries import (
    TIMELINE_PAGE_SIZE,
    InboxFilters,
    customer_panel,
    earlier_conversations,
    timeline_page,
)
from workspace.sla import sla_of
from workspace.views_list import list_context
from workspace.web import agent_page, me, realtime_since


def remote_images_for(request: HttpRequest) -> int | None:
    """`?remote_images=<interaction id>`: that email's remote images may load."""
    value = request.GET.get("remote_images", "")
    return int(value) if value.isdigit() and len(value) < 19 else None


def timeline_items(interactions: list[Interaction], *, remote: int | None = None,
                   new_since: datetime | None = None, customer: str = ""
                   ) -> list[dict[str, Any]]:
    """Oldest first, with a day line where the day changes and the "new" line before the
    first item that arrived since `new_since`."""
    out: list[dict[str, Any]] = []
    last_day = None
    marked = False
    for interaction in interactions:
        item = item_of(interaction, remote_images=remote == interaction.pk, new_since=new_since,
                       customer=customer)
        day = day_label(item.time)
        if day != last_day:
            out.append({"kind": "day", "text": day, "id": f"day-{item.time.date()}"})
            last_day = day
        if item.is_new and not marked:
            out.append({"kind": "new", "text": "New since you last looked"})
            marked = True
        out.append({"kind": "item", "item": item})
    return out


def _older_url(conversation: Conversation, cursor: str | None) -> str:
    if cursor is None:
        return ""
    from urllib.parse import urlencode

    return reverse("ws-timeline", args=[conversation.pk]) + "?" + urlencode(
        {"cursor": cursor})


def active_agents() -> list[User]:
    """With their Agent (presence, shown in the assign menu): one query."""
    return list(User.objects.filter(is_active=True, agent__isnull=False).select_related("agent")
                .order_by("first_name", "username")[:500])


def composer_context(request: HttpRequest, conversation: Conversation,
                     agents: list[User]) -> dict[str, Any]:
    options = reply_options(conversation)
    values = values_for(conversation, request.user)
    canned = [{"id": c.pk, "name": c.name, "shortcut": c.shortcut, "scope": c.scope,
               "body": fill(c.body, values)}
              for c in usable(request.user, CannedResponse)[:200]]
    return {
        "options": options,
        "canned": canned,
        "mention_agents": [{"username": u.username, "name": u.get_full_name() or u.username}
                           for u in agents],
        "macros": [{"macro": m, "steps": [describe(s) for s in m.actions if "type" in s]}
                   for m in usable(request.user, Macro)[:100]],
    }


def conversation_context(request: HttpRequest, conversation: Conversation) -> dict[str, Any]:
    """The conversation pane and the customer pane."""
    user = request.user
    previous = ConversationRead.objects.filter(user_id=me(request).pk, conversation=conversation)\
        .values_list("read_at", flat=True).first()
    page = timeline_page(conversation, PageRequest(size=TIMELINE_PAGE_SIZE))
    interactions = list(reversed(page.items))
    do_mark_read(user, conversation.pk)
    earlier = earlier_conversations(user, conversation)
    panel = customer_panel(user, conversation.customer)
    agents = active_agents()
    return {
        "conversation": conversation,
        "customer_label": conversation.customer.name or "The visitor",
        "sla": sla_of(conversation),
        "items": timeline_items(interactions, remote=remote_images_for(request),
                                new_since=previous, customer=conversation.customer.name),
        "older_url": _older_url(conversation, page.next_cursor),
        "earlier": [] if page.next_cursor else earlier,
        "earlier_hidden": len(earlier) if page.next_cursor else 0,
        "panel": panel,
        "agents": agents,
        "teams": list(Team.objects.order_by("name")),
        **composer_context(request, conversation, agents),
    }


def _page(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation(request, conversation_id)
    context = conversation_context(request, conversation)
    if request.headers.get("X-Workspace-Pane") == "conversation":
        # The list stays as it is in the browser: only the two panes are sent.
        return render(request, "workspace/partials/conversation_panes.html", context)
    try:
        filters = InboxFilters.parse(request.GET, request.user)
    except InvalidFilter:
        filters = InboxFilters.parse({}, request.user)
    context.update(list_context(request, filters, selected=conversation.pk, deferred=True))
    context["realtime_since"] = realtime_since()
    context["pane"] = "main"
    return render(request, "workspace/conversation.html", context)


def _conversation(request: HttpRequest, conversation_id: int) -> Conversation:
    conversation = access_conversation(request.user, conversation_id)
    return (Conversation.objects.select_related("customer", "assignee", "team",
                                                "last_inbound_inbox", "sla_clock")
            .get(pk=conversation.pk))


def _dispatch(request: HttpRequest, conversation_id: int) -> HttpResponse:
    response = _page(request, conversation_id)
    if remote_images_for(request) is not None:
        # An agent who asked to see one email's remote images gets a page that may load
        # them (django-csp's per-response update, as its csp_update decorator sets it);
        # every other page keeps img-src to this server: tracking pixels stay blocked.
        response._csp_update = {"img-src": ["https:"]}  # type: ignore[attr-defined]
    return response


@agent_page
@require_GET
def conversation_page(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _dispatch(request, conversation_id)


@agent_page
@require_GET
def timeline(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """An older page of the timeline (`?cursor=`), or, with `?embed=1`, an earlier
    conversation of the customer folded into another's timeline."""
    conversation = access_conversation(request.user, conversation_id)
    try:
        page = PageRequest.parse(request.GET, default_size=TIMELINE_PAGE_SIZE)
        result = timeline_page(conversation, page)
    except InvalidFilter as exc:
        return HttpResponse(exc.message, status=400)
    embed = request.GET.get("embed") == "1"
    return render(request, "workspace/partials/timeline_page.html", {
        "conversation": conversation,
        "items": timeline_items(list(reversed(result.items)), customer=conversation.customer.name),
        "older_url": "" if embed else _older_url(conversation, result.next_cursor),
        "embed": embed,
        "more_in_embed": embed and result.next_cursor is not None,
    })


@agent_page
@require_GET
def timeline_item(request: HttpRequest, conversation_id: int, interaction_id: int
                  ) -> HttpResponse:
    interaction = visible_interaction(request.user, interaction_id)
    if interaction is None or interaction.conversation_id != conversation_id:
        raise Http404("No such message.")
    item = item_of(interaction, remote_images=remote_images_for(request) == interaction.pk,
                   customer=interaction.customer.name)
    return render(request, "workspace/partials/timeline_item.html", {"item": item})


@agent_page
@require_GET
def header(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation(request, conversation_id)
    return render(request, "workspace/partials/conversation_header.html", {
        "conversation": conversation, "sla": sla_of(conversation),
        "agents": active_agents(),
        "teams": list(Team.objects.order_by("name")),
        "list_query": list_query(request.GET),
    })
