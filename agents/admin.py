from __future__ import annotations

from django.contrib import admin

from agents.models import Agent, Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "presence", "phone"]
    list_filter = ["role", "presence", "teams"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    filter_horizontal = ["teams"]
    list_select_related = ["user"]
