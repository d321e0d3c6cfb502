from __future__ import annotations

from django.contrib import admin

from conversations.models import Attachment, Conversation, Inbox, Interaction


@admin.register(Inbox)
class InboxAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug", "address", "team", "is_active"]
    list_filter = ["kind", "team", "is_active"]
    search_fields = ["name", "slug", "address"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["token", "created_at"]


class InteractionInline(admin.TabularInline):
    model = Interaction
    extra = 0
    fields = ["occurred_at", "channel", "direction", "kind", "status", "text"]
    readonly_fields = ["occurred_at", "channel", "direction", "kind", "status", "text"]
    show_change_link = True
    can_delete = False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "customer",
        "subject",
        "status",
        "team",
        "assignee",
        "priority",
        "last_inbound_channel",
        "last_activity_at",
    ]
    list_filter = ["status", "team", "priority", "last_inbound_channel"]
    search_fields = ["subject", "customer__name", "customer__identities__value"]
    raw_id_fields = ["customer", "assignee", "last_inbound_inbox"]
    list_select_related = ["customer", "team", "assignee"]
    readonly_fields = ["reply_token", "created_at", "updated_at"]
    inlines = [InteractionInline]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    readonly_fields = ["name", "content_type", "size", "content_id", "note", "file"]


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "conversation",
        "channel",
        "direction",
        "kind",
        "status",
        "provider_id",
        "occurred_at",
    ]
    list_filter = ["channel", "direction", "kind", "status"]
    search_fields = ["text", "subject", "provider_id"]
    raw_id_fields = ["conversation", "customer", "inbox", "author_agent", "author_identity"]
    list_select_related = ["conversation"]
    inlines = [AttachmentInline]
    date_hierarchy = "occurred_at"
