from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from customers.identities import InvalidIdentity, identity_kind_choices, normalize_identity
from customers.models import Consent, Customer, CustomerMerge, Identity


class IdentityForm(forms.ModelForm):
    """Values typed in the admin are normalized like every other way in: one person is
    one (kind, value), whatever the spelling."""

    kind = forms.ChoiceField(choices=identity_kind_choices)

    class Meta:
        model = Identity
        fields = ["customer", "kind", "value", "verified"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, value = data.get("kind"), data.get("value")
        if kind and value:
            try:
                data["value"] = normalize_identity(kind, value)
            except InvalidIdentity as exc:
                raise forms.ValidationError({"value": str(exc)}) from exc
            self.instance.value = data["value"]
        return data


class IdentityInline(admin.TabularInline):
    model = Identity
    form = IdentityForm
    extra = 0
    fields = ["kind", "value", "verified", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "language", "preferred_channel", "merged_into", "updated_at"]
    list_filter = ["language", "preferred_channel"]
    search_fields = ["name", "identities__value"]
    inlines = [IdentityInline]
    readonly_fields = ["merged_into", "created_at", "updated_at"]


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    form = IdentityForm
    list_display = ["kind", "value", "customer", "verified", "created_at"]
    list_filter = ["kind", "verified"]
    search_fields = ["value", "customer__name"]
    raw_id_fields = ["customer"]
    list_select_related = ["customer"]


@admin.register(CustomerMerge)
class CustomerMergeAdmin(admin.ModelAdmin):
    list_display = ["source_id", "target", "merged_by", "created_at"]
    raw_id_fields = ["target"]
    readonly_fields = ["source_id", "target", "merged_by", "moved", "created_at"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["identity", "channel", "scope", "status", "source", "changed_at"]
    list_filter = ["channel", "status"]
    search_fields = ["identity__value", "scope", "source"]
    raw_id_fields = ["identity"]
    list_select_related = ["identity"]
