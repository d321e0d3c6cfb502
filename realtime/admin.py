from __future__ import annotations

from django.contrib import admin

from realtime.models import RealtimeEvent


@admin.register(RealtimeEvent)
class RealtimeEventAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "team_ids", "user_ids", "created_at"]
    list_filter = ["name"]
    readonly_fields = ["name", "payload", "team_ids", "user_ids", "created_at"]
