from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from realtime.models import RealtimeEvent


@admin.register(RealtimeEvent)
class RealtimeEventAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "audience", "created_at"]
    list_filter = ["name"]
    readonly_fields = ["name", "payload", "audience", "created_at"]

    # The outbox is written by the chokepoint and pruned by a task, never by hand.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Audience")
    def audience(self, event: RealtimeEvent) -> str:
        return ", ".join(sorted(row.group for row in event.groups.all()))
