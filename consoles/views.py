"""Settings → Teams, Agents, Canned responses, Macros. Each change goes through the owning
app's action (agents.actions, macros.actions)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from agents.actions.active import AgentActiveError, do_set_agent_active
from agents.actions.invite import InviteError, do_invite_agent, do_resend_invitation
from agents.actions.roles import do_create_team, do_update_agent, do_update_team
from agents.models import Agent, AgentState, Team
from consoles.access import admin_page
from consoles.forms import AgentForm, CannedForm, InviteForm, MacroForm, TeamForm
from conversations.models import Conversation, ConversationStatus
from macros.actions import do_delete_shared, do_save_canned, do_save_macro
from macros.models import CannedResponse, Macro


@admin_page
def index(request: HttpRequest) -> HttpResponse:
    return redirect("settings-inboxes")


# ---------------------------------------------------------------- teams
@admin_page
def team_list(request: HttpRequest) -> HttpResponse:
    teams = Team.objects.order_by("name").prefetch_related("agents__user", "inboxes")
    return render(request, "consoles/teams.html", {"section": "teams", "teams": teams})


@admin_page
def team_form(request: HttpRequest, team_id: int | None = None) -> HttpResponse:
    team = get_object_or_404(Team, pk=team_id) if team_id is not None else None
    form = TeamForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if team is None:
            team = do_create_team(by=request.user, name=data["name"], slug=data["slug"])  # type: ignore[arg-type]
        else:
            team = do_update_team(team, by=request.user, name=data["name"], slug=data["slug"])  # type: ignore[arg-type]
        messages.success(request, f"Team “{team.name}” is saved.")
        return redirect("settings-teams")
    return render(request, "consoles/simple_form.html", {
        "section": "teams", "form": form, "back": "settings-teams",
        "title": f"Team {team.name}" if team else "New team",
    }, status=400 if form.errors else 200)


# ---------------------------------------------------------------- agents
@admin_page
def agent_list(request: HttpRequest) -> HttpResponse:
    agents = (Agent.objects.select_related("user").prefetch_related("teams")
              .order_by("user__username"))
    return render(request, "consoles/agents.html", {"section": "agents", "agents": agents})


def _agent_name(agent: Agent) -> str:
    return agent.user.get_full_name() or agent.user.get_username()


@admin_page
def agent_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agent = do_invite_agent(by=request.user, email=data["email"], name=data["name"],  # type: ignore[arg-type]
                                    role=data["role"], teams=data["teams"])
        except InviteError as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, f"{_agent_name(agent)} is invited: the email with a link "
                             f"to choose a password is on its way to {agent.user.email}.")
            return redirect("settings-agents")
    return render(request, "consoles/agent_invite.html", {
        "section": "agents", "form": form,
    }, status=400 if form.errors else 200)


@admin_page
def agent_form(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent = get_object_or_404(Agent.objects.select_related("user"), pk=agent_id)
    initial = {"role": agent.role, "teams": list(agent.teams.all())}
    form = AgentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if agent.user_id == request.user.pk and form.cleaned_data["role"] != agent.role:
            form.add_error("role", "You cannot change your own role; ask another admin.")
        else:
            do_update_agent(agent, by=request.user, role=form.cleaned_data["role"],  # type: ignore[arg-type]
                            teams=form.cleaned_data["teams"])
            messages.success(request, f"{_agent_name(agent)} is saved.")
            return redirect("settings-agents")
    return render(request, "consoles/agent_form.html", {
        "section": "agents", "form": form, "agent": agent, "title": _agent_name(agent),
        "is_self": agent.user_id == request.user.pk,
    }, status=400 if form.errors else 200)


@admin_page
@require_POST
def agent_resend(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent = get_object_or_404(Agent.objects.select_related("user"), pk=agent_id)
    try:
        do_resend_invitation(agent, by=request.user)  # type: ignore[arg-type]
    except InviteError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"A new invitation is on its way to {agent.user.email}.")
    return redirect("settings-agent", agent.pk)


def _open_conversations(agent: Agent) -> int:
    return (Conversation.objects.filter(assignee_id=agent.user_id)
            .exclude(status=ConversationStatus.RESOLVED).count())


@admin_page
def agent_deactivate(request: HttpRequest, agent_id: int) -> HttpResponse:
    """GET: what deactivating does, to confirm; POST: do it."""
    agent = get_object_or_404(Agent.objects.select_related("user"), pk=agent_id)
    error = None
    if request.method == "POST":
        try:
            do_set_agent_active(agent, active=False, by=request.user)  # type: ignore[arg-type]
        except AgentActiveError as exc:
            error = str(exc)
        else:
            messages.success(request, f"{_agent_name(agent)} is deactivated; their conversations "
                             "go back to their teams' queues.")
            return redirect("settings-agent", agent.pk)
    elif agent.user_id == request.user.pk:
        error = "You cannot deactivate yourself; ask another admin."
    return render(request, "consoles/agent_deactivate.html", {
        "section": "agents", "agent": agent, "title": f"Deactivate {_agent_name(agent)}?",
        "open_count": _open_conversations(agent), "error": error,
        "deactivated": agent.state == AgentState.DEACTIVATED,
    }, status=400 if error and request.method == "POST" else 200)


@admin_page
@require_POST
def agent_reactivate(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent = get_object_or_404(Agent.objects.select_related("user"), pk=agent_id)
    do_set_agent_active(agent, active=True, by=request.user)  # type: ignore[arg-type]
    messages.success(request, f"{_agent_name(agent)} is active again and can sign in.")
    return redirect("settings-agent", agent.pk)


# ---------------------------------------------- canned responses and macros
@dataclass(frozen=True)
class SharedKind:
    model: Any  # CannedResponse or Macro
    form: type[forms.Form]
    save: Callable[..., Any]
    noun: str


SHARED = {
    "canned": SharedKind(CannedResponse, CannedForm, do_save_canned, "canned response"),
    "macros": SharedKind(Macro, MacroForm, do_save_macro, "macro"),
}


@admin_page
def shared_list(request: HttpRequest, what: str) -> HttpResponse:
    # Personal ones are their owners' (changed in the workspace); shared ones are here.
    items = (SHARED[what].model.objects.filter(owner__isnull=True)
             .select_related("team").order_by("name"))
    return render(request, f"consoles/{what}.html", {
        "section": what, "items": items,
    })


def _initial(item: Any, what: str) -> dict[str, Any]:
    if item is None:
        return {"actions": "[]"} if what == "macros" else {}
    if what == "canned":
        return {"name": item.name, "shortcut": item.shortcut, "body": item.body,
                "team": item.team_id}
    return {"name": item.name, "description": item.description, "team": item.team_id,
            "actions": json.dumps(item.actions, indent=2)}


@admin_page
def shared_form(request: HttpRequest, what: str, item_id: int | None = None) -> HttpResponse:
    kind = SHARED[what]
    item = (get_object_or_404(kind.model, pk=item_id, owner__isnull=True)
            if item_id is not None else None)
    form = kind.form(request.POST or None, initial=_initial(item, what))
    if request.method == "POST" and form.is_valid():
        try:
            saved = kind.save(item, owner=None, **form.cleaned_data)
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"“{saved.name}” is saved.")
            return redirect(f"settings-{what}")
    return render(request, "consoles/simple_form.html", {
        "section": what, "form": form, "back": f"settings-{what}",
        "title": item.name if item else f"New {kind.noun}",
        "delete_url": f"settings-{what}-delete" if item else None, "item": item,
    }, status=400 if form.errors else 200)


@admin_page
@require_POST
def shared_delete(request: HttpRequest, what: str, item_id: int) -> HttpResponse:
    item = get_object_or_404(SHARED[what].model, pk=item_id, owner__isnull=True)
    do_delete_shared(item)
    messages.success(request, f"“{item.name}” is deleted.")
    return redirect(f"settings-{what}")
