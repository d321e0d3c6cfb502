"""The workspace's inputs, validated before any action runs: a bad value is a 400 with
a sentence, never a 500."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User

from agents.models import Team
from conversations.channels import channel_choices
from conversations.models import ConversationStatus, Priority
from conversations.params import MAX_ID
from customers.identities import identity_kinds


def _id(**kw: Any) -> forms.IntegerField:
    return forms.IntegerField(min_value=1, max_value=MAX_ID, **kw)


class ReplyForm(forms.Form):
    mode = forms.ChoiceField(choices=[("reply", "Reply"), ("note", "Note")], initial="reply")
    body = forms.CharField(max_length=50_000, strip=False, required=False)
    channel = forms.ChoiceField(choices=lambda: [("", ""), *channel_choices()], required=False)
    template_sid = forms.RegexField(r"^HX[0-9a-fA-F]{32}$", required=False)


class UpdateForm(forms.Form):
    status = forms.ChoiceField(choices=ConversationStatus.choices, required=False)
    snooze_until = forms.DateTimeField(required=False)
    assignee = forms.CharField(required=False, max_length=20)  # a user id, "me" or "none"
    team = forms.CharField(required=False, max_length=20)  # a team id or "none"
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int, required=False,
                                      empty_value=None)
    add_tag = forms.CharField(required=False, max_length=50)
    remove_tag = forms.CharField(required=False, max_length=50)

    def clean_assignee(self) -> Any:
        value = self.cleaned_data["assignee"].strip()
        if value in ("", "none"):
            return value
        if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
            raise forms.ValidationError("Choose an agent.")
        user = User.objects.filter(pk=int(value), is_active=True, agent__isnull=False).first()
        if user is None:
            raise forms.ValidationError("That agent does not exist or is not active.")
        return user

    def clean_team(self) -> Any:
        value = self.cleaned_data["team"].strip()
        if value in ("", "none"):
            return value
        if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
            raise forms.ValidationError("Choose a team.")
        team = Team.objects.filter(pk=int(value)).first()
        if team is None:
            raise forms.ValidationError("That team does not exist.")
        return team


class OtherForm(forms.Form):
    other = _id(error_messages={"required": "Give the number of the other one."})


class SplitForm(forms.Form):
    interactions = forms.CharField(max_length=2000)

    def clean_interactions(self) -> list[int]:
        parts = [p for p in self.cleaned_data["interactions"].replace(",", " ").split() if p]
        if not parts or not all(p.isdigit() and 1 <= int(p) <= MAX_ID for p in parts):
            raise forms.ValidationError("Choose the messages to move.")
        return [int(p) for p in parts][:200]


class CustomerForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    notes = forms.CharField(max_length=20_000, required=False)
    tags = forms.CharField(max_length=1000, required=False, help_text="Comma-separated.")
    language = forms.CharField(max_length=16, required=False)
    attributes = forms.CharField(max_length=20_000, required=False,
                                 help_text="One per line: name = value.")

    def clean_tags(self) -> list[str]:
        words = [t.strip().lstrip("#") for t in self.cleaned_data["tags"].split(",")]
        return sorted({w[:50] for w in words if w})

    def clean_attributes(self) -> dict[str, str]:
        result: dict[str, str] = {}
        for n, line in enumerate(self.cleaned_data["attributes"].splitlines(), start=1):
            if not line.strip():
                continue
            if "=" not in line:
                raise forms.ValidationError(f"Line {n}: write name = value.")
            key, value = (part.strip() for part in line.split("=", 1))
            if not key or len(key) > 100:
                raise forms.ValidationError(f"Line {n}: a name of 1 to 100 characters.")
            result[key] = value[:1000]
        return result


class IdentityForm(forms.Form):
    kind = forms.ChoiceField(
        choices=lambda: [(spec.kind, spec.label) for spec in identity_kinds() if spec.typed]
    )
    value = forms.CharField(max_length=255)


def first_error(form: forms.Form) -> str:
    for field, errors in form.errors.items():
        label = "" if field == "__all__" else f"{field.replace('_', ' ').capitalize()}: "
        return f"{label}{errors[0]}"
    return "Check what you entered."
