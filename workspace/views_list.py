"""The inbox list at `/`, its pages and single rows for live updates, search and the
notifications menu."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST

from agents.access import agent_for, team_ids_of
from agents.models import Team
from conversations.access import NotAgent
from conversations.channels import channel_choices
from conversations.keyset import PageRequest
from conversations.models import ConversationStatus, Inbox, Priority
from conversations.params import InvalidFilter
from conversations.queries import ConversationSort, ConversationView
from conversations.search import START, STOP, search_messages
from customers.queries import CustomerFilters, customer_directory
from workspace.notifications import do_mark_notifications_read, recent_notifications
from workspace.present import customer_name, list_query, row_of
from workspace.queries import (
    LIST_PAGE_SIZE,
    InboxFilters,
    inbox_page,
    inbox_row,
    ordering_of,
)
from workspace.web import agent_page, done, realtime_since

VIEW_LABELS = [(ConversationView.MINE, "Mine"), (ConversationView.UNASSIGNED, "Unassigned"),
               (ConversationView.MY_TEAMS, "My teams"), (ConversationView.ALL, "All")]
SORT_LABELS = [(ConversationSort.LAST_ACTIVITY, "Newest"),
               (ConversationSort.SLA_DUE, "SLA due"),
               (ConversationSort.LONGEST_WAITING, "Longest waiting")]
STATUS_LABELS = [*ConversationStatus.choices, ("any", "Any status")]
SLA_LABELS = [("", "Any SLA"), ("breached", "Breached"), ("at_risk", "At risk"),
              ("ok", "On track"), ("paused", "Paused"), ("none", "No SLA")]


def list_context(request: HttpRequest, filters: InboxFilters, *, selected: int | None = None,
                 page: PageRequest | None = None, deferred: bool = False) -> dict[str, Any]:
    """The list pane: its rows, the next page's URL, the filter bar's choices. `deferred`:
    no rows yet; the page loads the first page itself (a conversation page shows its
    conversation first: on a phone the list is not even on screen)."""
    user = request.user
    agent = agent_for(user)
    query = list_query(request.GET, drop=("cursor", "remote_images", "pane", "selected"))
    ordering = ordering_of(filters)
    if deferred:
        rows: list[Any] = []
        first = f"{reverse('ws-rows')}?{query}{'&' if query else ''}selected={selected or ''}"
        next_url = first
    else:
        result = inbox_page(user, filters, page or PageRequest(size=LIST_PAGE_SIZE))
        rows = [row_of(c, query=query, sort_key=ordering.key, selected=selected)
                for c in result.items]
        next_url = _rows_url(query, result.next_cursor)
    views = [(v, label) for v, label in VIEW_LABELS
             if v != ConversationView.ALL or (agent is not None and agent.sees_everything)]
    base = filters.base
    return {
        "rows": rows,
        "deferred": deferred,
        "next_url": next_url,
        "list_query": query,
        "views": views,
        "current_view": base.view,
        "sorts": SORT_LABELS,
        "current_sort": base.sort,
        "statuses": STATUS_LABELS,
        "current_status": "any" if filters.status_any else ",".join(base.statuses),
        "sla_states": SLA_LABELS,
        "current_sla": filters.sla,
        "channels": channel_choices(),
        "current_channel": ",".join(base.waiting_channels),
        "inboxes": list(Inbox.objects.filter(is_active=True).order_by("name")
                        .values_list("pk", "name")),
        "current_inbox": base.inbox,
        "priorities": Priority.choices,
        "current_priority": ",".join(str(p) for p in base.priorities),
        "current_tag": base.tag,
        "filtered": bool(base.waiting_channels or base.inbox or base.priorities or base.tag
                         or filters.sla or filters.status_any
                         or base.statuses != (ConversationStatus.OPEN,)),
        "view_title": dict(VIEW_LABELS).get(base.view, "Inbox") if base.view else "Inbox",
        "my_team_ids": team_ids_of(agent) if agent is not None else [],
    }


def _rows_url(query: str, cursor: str | None) -> str:
    if cursor is None:
        return ""
    from urllib.parse import urlencode

    extra = urlencode({"cursor": cursor})
    return f"{reverse('ws-rows')}?{query}&{extra}" if query else \
        f"{reverse('ws-rows')}?{extra}"


def not_an_agent(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/not_agent.html")


def inbox(request: HttpRequest) -> HttpResponse:
    """`/`: the list, with the empty conversation pane beside it on wide screens."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if agent_for(request.user) is None:
        return not_an_agent(request)
    try:
        filters = InboxFilters.parse(request.GET, request.user)
        context = list_context(request, filters)
    except InvalidFilter as exc:
        context = {"filter_error": f"{exc.param}: {exc.message}", "rows": [], "views": []}
        return render(request, "workspace/inbox.html", {**context, "realtime_since": 0},
                      status=400)
    context["realtime_since"] = realtime_since()
    return render(request, "workspace/inbox.html", {**context, "pane": "list"})


@agent_page
@require_GET
def rows(request: HttpRequest) -> HttpResponse:
    """The next page of the list (infinite scroll)."""
    try:
        filters = InboxFilters.parse(request.GET, request.user)
        page = PageRequest.parse(request.GET, default_size=LIST_PAGE_SIZE)
        selected = request.GET.get("selected", "")
        context = list_context(request, filters, page=page, selected=int(selected)
                               if selected.isdigit() and len(selected) < 19 else None)
    except InvalidFilter as exc:
        return HttpResponse(escape(f"{exc.param}: {exc.message}"), status=400)
    return render(request, "workspace/partials/rows.html", context)


@agent_page
@require_GET
def row(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """One row as the list with these filters shows it; 204 when it is not in the list
    (any more, or the agent may not see it)."""
    try:
        filters = InboxFilters.parse(request.GET, request.user)
        found = inbox_row(request.user, filters, conversation_id)
    except InvalidFilter as exc:
        return HttpResponse(escape(f"{exc.param}: {exc.message}"), status=400)
    if found is None:
        return HttpResponse(status=204)
    selected = request.GET.get("selected")
    query = list_query(request.GET, drop=("cursor", "selected"))
    the_row = row_of(found, query=query, sort_key=ordering_of(filters).key,
                     selected=int(selected) if selected and selected.isdigit() else None)
    return render(request, "workspace/partials/row.html", {"row": the_row})


def highlight(snippet: str) -> SafeString:
    """The search snippet escaped, then its marks made <mark>."""
    text = escape(snippet)
    return mark_safe(text.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308


@agent_page
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:200].replace("\x00", "")
    customers: list[Any] = []
    hits_shown: list[dict[str, Any]] = []
    if query:
        try:
            customers = list(customer_directory(request.user, CustomerFilters(search=query),
                                                PageRequest(size=8)).items)
            hits = search_messages(request.user, query, limit=25)
        except NotAgent:
            hits = []
        hits_shown = [{
            "hit": hit, "snippet": highlight(hit.snippet),
            "url": reverse("conversation", args=[hit.interaction.conversation_id])
            + f"#interaction-{hit.interaction.pk}",
            "customer": customer_name(hit.interaction.customer) if hit.interaction.customer.name
            else f"Customer #{hit.interaction.customer_id}",
        } for hit in hits]
    people = [{"customer": c, "name": customer_name(c),
               "identities": list(c.identities.all())[:3]} for c in customers]
    return render(request, "workspace/search.html", {
        "q": query, "people": people, "hits": hits_shown,
        "realtime_since": realtime_since(),
    })


@agent_page
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    items, unread = recent_notifications(request.user)
    return render(request, "workspace/partials/notifications.html",
                  {"items": items, "unread": unread})


@agent_page
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit() and len(i) < 19]
    count = do_mark_notifications_read(request.user, ids or None)
    return done(marked=count)


def teams_for_filters() -> list[tuple[int, str]]:
    return list(Team.objects.order_by("name").values_list("pk", "name"))
