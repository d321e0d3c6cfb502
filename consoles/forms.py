"""The settings forms of teams, agents, canned responses and macros. They only read
input; the owning app's actions write (agents.actions, macros.actions)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.text import slugify

from agents.actions.invite import user_with_email
from agents.models import Role, Team
from macros.steps import clean_steps


class TeamForm(forms.Form):
    name = forms.CharField(max_length=100)
    slug = forms.SlugField(max_length=100, required=False,
                           help_text="Used in routing rules and URLs; empty: made from the name.")

    def __init__(self, *args: Any, team: Team | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.team = team
        if team is not None and not self.is_bound:
            self.initial.update({"name": team.name, "slug": team.slug})

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        taken = Team.objects.filter(name__iexact=name)
        if self.team is not None:
            taken = taken.exclude(pk=self.team.pk)
        if taken.exists():
            raise forms.ValidationError(f"A team called “{name}” exists already.")
        return name

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or slugify(self.data.get("name", ""))[:100]
        if not slug:
            raise forms.ValidationError("Give the team a slug (letters, digits, hyphens).")
        taken = Team.objects.filter(slug=slug)
        if self.team is not None:
            taken = taken.exclude(pk=self.team.pk)
        if taken.exists():
            raise forms.ValidationError(f"Another team already uses the slug “{slug}”.")
        return str(slug)


class AgentForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, help_text="Admins change settings; team "
                             "leads see every team's conversations, queues and reports.")
    teams = forms.ModelMultipleChoiceField(Team.objects.all(), required=False,
                                           widget=forms.CheckboxSelectMultiple)


class InviteForm(forms.Form):
    email = forms.EmailField(max_length=254, help_text="The invitation goes here, with a link "
                             "to choose a password; the username is made from it.")
    name = forms.CharField(label="Full name", max_length=150)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.AGENT,
                             help_text=AgentForm.base_fields["role"].help_text)
    teams = forms.ModelMultipleChoiceField(Team.objects.all(), required=False,
                                           widget=forms.CheckboxSelectMultiple,
                                           help_text="Agents see their teams' conversations.")

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip()
        user = user_with_email(email)
        if user is None:
            return email
        if not user.is_active and hasattr(user, "agent"):
            raise forms.ValidationError(f"{user.get_full_name() or user.get_username()} has "
                                        "this address and is deactivated: reactivate them on "
                                        "their page instead.")
        raise forms.ValidationError(f"Someone with the address {email} is already a user.")


def _scope_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(Team.objects.all(), required=False, label="Shared with",
                                  empty_label="Everyone",
                                  help_text="Everyone, or the agents of one team.")


class CannedForm(forms.Form):
    name = forms.CharField(max_length=100)
    shortcut = forms.SlugField(max_length=50, help_text="What agents type after “/” in the "
                               "composer.")
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}),
                           help_text="Variables: {{ customer.name }}, {{ customer.first_name }},"
                           " {{ agent.name }}, {{ agent.first_name }}, {{ conversation.id }}.")
    team = _scope_field()


STEPS_HINT = (
    'One JSON list of steps, run in order: {"type": "reply", "text": "…"}, '
    '{"type": "note", "text": "…"}, {"type": "add_tags", "tags": ["…"]}, '
    '{"type": "status", "status": "resolved"}, {"type": "assign", "user_id": null}, '
    '{"type": "team", "team_id": 1}, {"type": "priority", "priority": 2}.'
)


class MacroForm(forms.Form):
    name = forms.CharField(max_length=100)
    description = forms.CharField(max_length=200, required=False)
    team = _scope_field()
    actions = forms.CharField(label="Steps", widget=forms.Textarea(attrs={"rows": 8}),
                              help_text=STEPS_HINT)

    def clean_actions(self) -> list[dict[str, Any]]:
        try:
            steps = json.loads(self.cleaned_data["actions"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"The steps are not valid JSON: {exc.msg} "
                                        f"(line {exc.lineno}).") from None
        if not isinstance(steps, list):
            raise forms.ValidationError("The steps must be a list: [ {…}, {…} ].")
        try:
            return clean_steps(steps)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
