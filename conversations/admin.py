"""Admin for the core models. Conversations change through the same actions as in the
API (so every change leaves its timeline event and realtime update); interactions are
the record of what happened and are read-only here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from conversations.actions.inbox import do_rotate_inbox_token
from conversations.actions.update import do_update_conversation
from conversations.channels import embed_code, inbox_kind_choices
from conversations.models import Attachment, Conversation, Inbox, Interaction


class InboxAdminForm(forms.ModelForm):
    """Secrets are write-only here, as in the API: the stored values are never rendered
    back into the page, and a blank field keeps them."""

    new_secrets = forms.JSONField(
        required=False,
        label="Change secrets",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text='A JSON object of the secrets to set, e.g. {"auth_token": "…"}; a key set '
        "to null is removed, keys not named are kept. Leave empty to keep every stored "
        "secret.",
    )

    kind = forms.ChoiceField(choices=inbox_kind_choices, help_text="What the inbox is.")

    class Meta:
        model = Inbox
        fields = ["kind", "name", "slug", "address", "team", "config", "is_active"]

    def clean_new_secrets(self) -> dict[str, Any]:
        value = self.cleaned_data.get("new_secrets")
        if value in (None, ""):
            return {}
        if not isinstance(value, dict) or not all(
            isinstance(v, str) or v is None for v in value.values()
        ):
            raise forms.ValidationError(
                'Enter a JSON object of names and text values, e.g. {"auth_token": "…"}.'
            )
        return value

    def save(self, commit: bool = True) -> Inbox:
        changes = self.cleaned_data.get("new_secrets") or {}
        if changes:
            merged = {**(self.instance.secrets or {}), **changes}
            self.instance.secrets = {k: v for k, v in merged.items() if v is not None}
        inbox: Inbox = super().save(commit=commit)
        return inbox


@admin.register(Inbox)
class InboxAdmin(admin.ModelAdmin):
    form = InboxAdminForm
    list_display = ["name", "kind", "slug", "address", "team", "is_active"]
    list_filter = ["kind", "team", "is_active"]
    search_fields = ["name", "slug", "address"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["kind", "name", "slug", "address", "team", "config", "is_active",
              "stored_secrets", "new_secrets", "token_status", "snippet", "created_at"]
    readonly_fields = ["stored_secrets", "token_status", "snippet", "created_at"]
    actions = ["rotate_token"]

    @admin.display(description="Embed code")
    def snippet(self, inbox: Inbox) -> str:
        """What to paste into a website (a chat widget's script tag), from the inbox
        kind's registration; shown as text (the admin escapes it)."""
        return embed_code(inbox) if inbox.pk else ""

    @admin.display(description="Stored secrets")
    def stored_secrets(self, inbox: Inbox) -> str:
        names = sorted((inbox.secrets or {}) if inbox.pk else {})
        return ", ".join(names) + " (values hidden)" if names else "none"

    @admin.display(description="Token")
    def token_status(self, inbox: Inbox) -> str:
        if not inbox.pk:
            return "Made when the inbox is saved."
        return 'Set (hidden). The action "Rotate token" makes a new one and shows it once.'

    @admin.action(description="Rotate token (the new one is shown once)")
    def rotate_token(self, request: HttpRequest, queryset: QuerySet[Inbox]) -> None:
        for inbox in queryset:
            token = do_rotate_inbox_token(inbox, by=request.user)  # type: ignore[arg-type]
            self.message_user(
                request, f"{inbox.name}: new token {token} (it will not be shown again)",
                messages.WARNING,
            )


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


INTERACTION_COLUMNS = ("occurred_at", "channel", "direction", "kind", "status", "text")
ATTACHMENT_COLUMNS = ("name", "content_type", "size", "content_id", "note", "file")


class InteractionInline(ReadOnlyInline):
    model = Interaction
    fields = INTERACTION_COLUMNS
    readonly_fields = INTERACTION_COLUMNS
    show_change_link = True


# The fields an admin may change; each goes through do_update_conversation.
CONVERSATION_EDITABLE = ("status", "snoozed_until", "team", "assignee", "priority", "tags")


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = [
        "id", "customer", "subject", "status", "team", "assignee", "priority",
        "last_inbound_channel", "last_activity_at",
    ]
    list_filter = ["status", "team", "priority", "last_inbound_channel"]
    search_fields = ["subject", "customer__name", "customer__identities__value"]
    raw_id_fields = ["assignee"]
    list_select_related = ["customer", "team", "assignee"]
    fields = CONVERSATION_FIELDS = (
        "customer", "subject", *CONVERSATION_EDITABLE, "channels", "last_inbound_channel",
        "participants", "first_inbound_at", "last_inbound_at", "first_response_at",
        "last_response_at", "awaiting_since", "awaiting_channel", "first_response_due_at",
        "next_response_due_at", "resolved_at", "last_activity_at", "reply_token",
        "created_at", "updated_at",
    )
    inlines = [InteractionInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f for f in self.CONVERSATION_FIELDS if f not in CONVERSATION_EDITABLE]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # conversations begin with a customer's message

    def save_model(self, request: HttpRequest, obj: Conversation, form: Any, change: bool) -> None:
        changes = {
            f: form.cleaned_data[f]
            for f in form.changed_data
            if f in CONVERSATION_EDITABLE and f != "snoozed_until"
        }
        if "snoozed_until" in form.changed_data or "status" in changes:
            changes["status"] = form.cleaned_data["status"]
            changes["snoozed_until"] = form.cleaned_data["snoozed_until"]
        # The form already copied the new values onto `obj`; the action compares against
        # the stored row, so it reads the conversation afresh.
        stored = Conversation.objects.get(pk=obj.pk)
        do_update_conversation(stored, by=request.user, changes=changes)  # type: ignore[arg-type]


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ATTACHMENT_COLUMNS
    readonly_fields = ATTACHMENT_COLUMNS


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = [
        "id", "conversation", "channel", "direction", "kind", "status", "provider_id",
        "occurred_at",
    ]
    list_filter = ["channel", "direction", "kind", "status"]
    search_fields = ["text", "subject", "provider_id"]
    list_select_related = ["conversation"]
    inlines = [AttachmentInline]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # nothing accepted is ever lost; erasure is its own (GDPR) action
