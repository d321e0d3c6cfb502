from __future__ import annotations

from django.contrib import admin

from customers.models import Consent, Customer, CustomerMerge, Identity


class IdentityInline(admin.TabularInline):
    model = Identity
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
