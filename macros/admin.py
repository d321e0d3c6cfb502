from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from macros.actions import do_save_canned, do_save_macro
from macros.models import CannedResponse, Macro
from macros.steps import clean_steps


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "shortcut", "owner", "team", "updated_at")
    list_filter = ("team",)
    search_fields = ("name", "shortcut", "body")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        do_save_canned(obj)


class MacroForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Macro
        fields = ("name", "description", "owner", "team", "actions")

    def clean_actions(self) -> Any:
        try:
            return clean_steps(self.cleaned_data["actions"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = MacroForm
    list_display = ("name", "owner", "team", "updated_at")
    list_filter = ("team",)
    search_fields = ("name", "description")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        do_save_macro(obj)
