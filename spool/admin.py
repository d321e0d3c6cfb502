from __future__ import annotations

from django.contrib import admin

from spool.models import SpooledEvent


@admin.register(SpooledEvent)
class SpooledEventAdmin(admin.ModelAdmin):
    """Accepted events not recorded yet, for looking: rows leave once recorded. One with
    attempts and an error is retried on its own."""

    list_display = ["id", "handler", "lane", "dedupe_key", "accepted_at", "attempts",
                    "retry_at", "last_error"]
    list_filter = ["handler"]
    readonly_fields = ["handler", "lane", "dedupe_key", "payload", "accepted_at", "attempts",
                       "retry_at", "last_error"]

    def has_add_permission(self, request: object) -> bool:
        return False
