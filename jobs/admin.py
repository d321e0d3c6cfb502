from __future__ import annotations

from django.contrib import admin

from jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Pending work, for looking: rows leave by themselves when their task has run."""

    list_display = ["id", "task", "args", "run_at", "due_at", "attempts", "last_error"]
    list_filter = ["task"]
    readonly_fields = ["task", "args", "run_at", "due_at", "attempts", "last_error", "created_at"]

    def has_add_permission(self, request: object) -> bool:
        return False
