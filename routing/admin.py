from __future__ import annotations

from django.contrib import admin

from routing.models import BusinessHours, ConversationSLA, RoutingRule, SLAOutcome, SLAPolicy


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "active", "inbox", "set_team", "set_priority",
                    "run_on_channel_switch"]
    list_filter = ["active", "inbox"]
    list_editable = ["position", "active"]
    search_fields = ["name"]


@admin.register(SLAPolicy)
class SLAPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "channel", "priority", "customer_tier",
                    "first_response_seconds", "next_response_seconds", "resolution_seconds",
                    "warn_percent", "business_hours"]
    list_filter = ["active", "channel", "priority"]
    search_fields = ["name", "customer_tier"]


@admin.register(BusinessHours)
class BusinessHoursAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "holiday_country", "holiday_subdivision"]
    search_fields = ["name"]


@admin.register(ConversationSLA)
class ConversationSLAAdmin(admin.ModelAdmin):
    """Clocks are kept by the conversation's changes and the timer sweep: read only."""

    list_display = ["conversation", "target", "channel", "state", "due_at", "warn_at",
                    "breached_at"]
    list_filter = ["state", "target", "channel"]
    raw_id_fields = ["conversation"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(SLAOutcome)
class SLAOutcomeAdmin(admin.ModelAdmin):
    list_display = ["conversation", "target", "channel", "met", "started_at", "due_at",
                    "achieved_at", "breached_at"]
    list_filter = ["met", "target", "channel"]
    raw_id_fields = ["conversation"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
