"""/queues/: the live queues page for leads (their teams) and admins (all), its board
fragment (what static/js/queues.js fetches when a socket event arrives), the wallboard
(?wallboard=1: large type, no controls) and the one-click reassign of a conversation
that is at risk or breached."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from agents.models import Agent
from consoles import queues
from conversations.access import access_conversation
from conversations.actions.update import do_update_conversation
from reports.access import NotForReports, report_teams
from workspace.web import realtime_since

View = Callable[..., HttpResponse]


def queue_page(view: View) -> View:
    """Signed in, a lead or an admin (else 403); passes the teams in scope (None: all)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            team_ids = report_teams(request.user)
        except NotForReports:
            return HttpResponse("Only team leads and admins watch the queues.", status=403,
                                content_type="text/plain; charset=utf-8")
        return view(request, team_ids, *args, **kwargs)

    return wrapped


def _context(request: HttpRequest, team_ids: tuple[int, ...] | None) -> dict[str, Any]:
    board = queues.board(team_ids)
    wallboard = request.GET.get("wallboard") == "1"
    return {
        "board": board,
        "wallboard": wallboard,
        "attention": [
            {"conversation": c, "free": board.free_agents_for(c)[:5]} for c in board.attention
        ],
    }


@queue_page
def queue_board(request: HttpRequest, team_ids: tuple[int, ...] | None) -> HttpResponse:
    context = _context(request, team_ids)
    context["realtime_since"] = realtime_since()
    return render(request, "consoles/queues.html", context)


@queue_page
def queue_fragment(request: HttpRequest, team_ids: tuple[int, ...] | None) -> HttpResponse:
    return render(request, "consoles/queues_board.html", _context(request, team_ids))


@require_POST
@queue_page
def queue_reassign(
    request: HttpRequest, team_ids: tuple[int, ...] | None, conversation_id: int
) -> HttpResponse:
    """Hand the conversation to the chosen agent, through the conversation's update
    action (timeline event, hooks, realtime). The conversation must be in the page's
    scope (a lead's teams), and the agent one of its team (any agent when it has none)."""
    conversation = access_conversation(request.user, conversation_id)
    if team_ids is not None and conversation.team_id not in team_ids:
        raise Http404("Not in your teams' queues.")
    agent = (
        Agent.objects.select_related("user")
        .filter(user_id=request.POST.get("assignee") or 0, user__is_active=True)
        .first()
    )
    if agent is None or (
        conversation.team_id is not None
        and not agent.teams.filter(pk=conversation.team_id).exists()
    ):
        return HttpResponse("Pick an agent of the conversation's team.", status=400,
                            content_type="text/plain; charset=utf-8")
    do_update_conversation(
        conversation, by=request.user if isinstance(request.user, User) else None,
        changes={"assignee": agent.user},
    )
    if request.headers.get("HX-Request"):
        return render(request, "consoles/queues_board.html", _context(request, team_ids))
    name = agent.user.get_full_name() or agent.user.get_username()
    messages.success(request, f"#{conversation.pk} assigned to {name}.")
    return redirect("queues")
