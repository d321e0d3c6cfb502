from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from agents.actions.roles import do_update_agent
from agents.models import Agent, Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "assignment_mode", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    """Role and teams are changed through `do_update_agent`, so the agent's open sockets
    follow at once (they re-join the groups of what the agent may see)."""

    list_display = ["user", "role", "presence", "phone"]
    list_filter = ["role", "presence", "teams"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    filter_horizontal = ["teams"]
    list_select_related = ["user"]

    def save_model(self, request: HttpRequest, obj: Agent, form: ModelForm, change: bool) -> None:
        if change and "role" in form.changed_data:
            obj.role = form.initial["role"]  # the action sets the new one in save_related
        super().save_model(request, obj, form, change)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        teams = form.cleaned_data.pop("teams", None)  # not saved by the form: by the action
        super().save_related(request, form, formsets, change)
        role = form.cleaned_data.get("role") if "role" in form.changed_data else None
        do_update_agent(form.instance, by=request.user, role=role, teams=teams)  # type: ignore[arg-type]
