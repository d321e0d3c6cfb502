"""Settings → Routing: routing rules (ordered, move up or down, a dry run on a chosen
conversation), SLA policies, business hours and holidays, and each agent's and team's
routing settings. Each form's data is validated by the API's serializer and written by
routing's or agents' actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from rest_framework import serializers

from agents.actions.routing_settings import (
    SettingsError,
    do_update_agent_routing,
    do_update_team_routing,
)
from agents.models import Agent, Team
from api.serializers.routing import (
    AgentRoutingSerializer,
    BusinessHoursSerializer,
    RoutingRuleSerializer,
    SLAPolicySerializer,
    TeamRoutingSerializer,
)
from consoles.access import admin_page
from consoles.routing_forms import (
    AgentRoutingForm,
    HoursForm,
    PolicyForm,
    RuleForm,
    TeamRoutingForm,
)
from conversations.channels import channel_choices
from conversations.models import Conversation, Priority
from routing.actions.config import do_delete_config, do_move_rule, do_save_config
from routing.models import BusinessHours, RoutingRule, SLAPolicy
from routing.rules import facts_of, first_match


def _by(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _validated(form: forms.Form, serializer_class: type[serializers.ModelSerializer[Any]],
               instance: Any) -> dict[str, Any] | None:
    """The form's data through the API's serializer: its validated data, or None with
    the serializer's errors put on the form."""
    serializer = serializer_class(instance, data=form.data_for_api(),  # type: ignore[attr-defined]
                                  partial=instance is not None)
    if serializer.is_valid():
        return dict(serializer.validated_data)
    for name, errors in serializer.errors.items():
        text = " ".join(str(e) for e in (errors if isinstance(errors, list) else [errors]))
        if name in form.fields:
            form.add_error(name, text)
        else:
            form.add_error(None, f"{name}: {text}" if name != "non_field_errors" else text)
    return None


def _form_page(request: HttpRequest, form: forms.Form, *, section: str, back: str,
               title: str, item: Any = None, delete_url: str | None = None) -> HttpResponse:
    return render(request, "consoles/simple_form.html", {
        "section": section, "form": form, "back": back, "title": title, "item": item,
        "delete_url": delete_url if item is not None else None,
    }, status=400 if form.errors else 200)


# ---------------------------------------------------------------- rules
CONDITION_LABELS = {
    "channels": "Channel", "inbox_ids": "Inbox", "customer_tags": "Customer tag",
    "customer_attributes": "Customer", "languages": "Language", "keywords": "Words",
    "priorities": "Priority", "business_hours": "Hours",
}


def _when(rule: RoutingRule, hours: dict[int, str]) -> list[tuple[str, str]]:
    """A rule's conditions in words, for the list."""
    found = []
    for name, value in (rule.conditions or {}).items():
        if name == "customer_attributes":
            text = ", ".join(f"{k} = {v}" for k, v in value.items())
        elif name == "business_hours":
            where = "inside" if value.get("inside", True) else "outside"
            text = f"{where} {hours.get(value.get('id'), 'unknown hours')}"
        elif name == "priorities":
            text = ", ".join(str(Priority(p).label) for p in value if p in Priority.values)
        else:
            text = ", ".join(str(v) for v in value)
        found.append((CONDITION_LABELS.get(name, name), text))
    return found


@admin_page
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = list(RoutingRule.objects.select_related("inbox", "set_team", "set_agent")
                 .order_by("position", "id"))
    hours = dict(BusinessHours.objects.values_list("pk", "name"))
    for rule in rules:
        rule.when = _when(rule, hours)  # type: ignore[attr-defined]
    dry: dict[str, Any] | None = None
    asked = request.GET.get("conversation", "").strip()
    if asked:
        conversation = (Conversation.objects.select_related("customer")
                        .filter(pk=int(asked) if asked.isdigit() and len(asked) < 18 else 0)
                        .first())
        if conversation is None:
            dry = {"asked": asked, "missing": True}
        else:
            latest = conversation.interactions.filter(direction="in").order_by("-id").first()
            matched, verdicts = first_match(facts_of(conversation, latest))
            dry = {"asked": asked, "conversation": conversation, "matched": matched,
                   "verdicts": verdicts}
    return render(request, "consoles/routing_rules.html", {
        "section": "routing", "rules": rules, "dry": dry,
    })


@admin_page
def rule_form(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    rule = get_object_or_404(RoutingRule, pk=rule_id) if rule_id is not None else None
    form = RuleForm(request.POST or None, rule=rule)
    if request.method == "POST" and form.is_valid():
        values = _validated(form, RoutingRuleSerializer, rule)
        if values is not None:
            saved = do_save_config(RoutingRule, rule, by=_by(request), values=values)
            messages.success(request, f"Routing rule “{saved.name}” is saved.")
            return redirect("settings-routing")
    return _form_page(request, form, section="routing", back="settings-routing",
                      title=rule.name if rule else "New routing rule", item=rule,
                      delete_url="settings-rule-delete")


@admin_page
@require_POST
def rule_move(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(RoutingRule, pk=rule_id)
    do_move_rule(rule, up=request.POST.get("direction") == "up", by=_by(request))
    return redirect("settings-routing")


@admin_page
@require_POST
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(RoutingRule, pk=rule_id)
    do_delete_config(rule, by=_by(request))
    messages.success(request, f"Routing rule “{rule.name}” is deleted.")
    return redirect("settings-routing")


# ---------------------------------------------------------------- SLA policies
@admin_page
def policy_list(request: HttpRequest) -> HttpResponse:
    policies = list(SLAPolicy.objects.select_related("business_hours").order_by(
        "channel", "priority", "id"))
    labels = dict(channel_choices())
    for policy in policies:
        policy.channel_label = labels.get(policy.channel, policy.channel)  # type: ignore[attr-defined]
    return render(request, "consoles/sla_policies.html", {
        "section": "sla", "policies": policies,
    })


@admin_page
def policy_form(request: HttpRequest, policy_id: int | None = None) -> HttpResponse:
    policy = get_object_or_404(SLAPolicy, pk=policy_id) if policy_id is not None else None
    form = PolicyForm(request.POST or None, policy=policy)
    if request.method == "POST" and form.is_valid():
        values = _validated(form, SLAPolicySerializer, policy)
        if values is not None:
            saved = do_save_config(SLAPolicy, policy, by=_by(request), values=values)
            messages.success(request, f"SLA policy “{saved.name}” is saved.")
            return redirect("settings-sla")
    return _form_page(request, form, section="sla", back="settings-sla",
                      title=policy.name if policy else "New SLA policy", item=policy,
                      delete_url="settings-sla-delete")


@admin_page
@require_POST
def policy_delete(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = get_object_or_404(SLAPolicy, pk=policy_id)
    do_delete_config(policy, by=_by(request))
    messages.success(request, f"SLA policy “{policy.name}” is deleted.")
    return redirect("settings-sla")


# ---------------------------------------------------------------- business hours
@admin_page
def hours_list(request: HttpRequest) -> HttpResponse:
    return render(request, "consoles/business_hours.html", {
        "section": "hours", "calendars": BusinessHours.objects.order_by("name"),
    })


@admin_page
def hours_form(request: HttpRequest, hours_id: int | None = None) -> HttpResponse:
    hours = get_object_or_404(BusinessHours, pk=hours_id) if hours_id is not None else None
    form = HoursForm(request.POST or None, hours=hours)
    if request.method == "POST" and form.is_valid():
        values = _validated(form, BusinessHoursSerializer, hours)
        if values is not None:
            saved = do_save_config(BusinessHours, hours, by=_by(request), values=values)
            messages.success(request, f"Business hours “{saved.name}” are saved.")
            return redirect("settings-hours")
    return _form_page(request, form, section="hours", back="settings-hours",
                      title=hours.name if hours else "New business hours", item=hours,
                      delete_url="settings-hours-delete")


@admin_page
@require_POST
def hours_delete(request: HttpRequest, hours_id: int) -> HttpResponse:
    hours = get_object_or_404(BusinessHours, pk=hours_id)
    do_delete_config(hours, by=_by(request))
    messages.success(request, f"Business hours “{hours.name}” are deleted.")
    return redirect("settings-hours")


# ------------------------------------------------ agents' and teams' routing
def _settings_update(request: HttpRequest, form: forms.Form, serializer_class: Any,
                     instance: Any, action: Any) -> bool:
    if not (request.method == "POST" and form.is_valid()):
        return False
    values = _validated(form, serializer_class, instance)
    if values is None:
        return False
    try:
        action(instance, by=_by(request), changes=values)
    except SettingsError as exc:
        form.add_error(None, str(exc))
        return False
    return True


@admin_page
def agent_routing(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent = get_object_or_404(Agent.objects.select_related("user"), pk=agent_id)
    form = AgentRoutingForm(request.POST or None, capacities=agent.capacities or {},
                            initial={"skills": ", ".join(agent.skills or []),
                                     "languages": ", ".join(agent.languages or [])})
    if _settings_update(request, form, AgentRoutingSerializer, agent, do_update_agent_routing):
        messages.success(request, f"Routing of {agent.user.get_full_name() or agent} is saved.")
        return redirect("settings-agents")
    name = agent.user.get_full_name() or agent.user.get_username()
    return _form_page(request, form, section="agents", back="settings-agents",
                      title=f"Routing of {name}")


@admin_page
def team_routing(request: HttpRequest, team_id: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=team_id)
    form = TeamRoutingForm(request.POST or None, capacities=team.capacities or {},
                           initial={"assignment_mode": team.assignment_mode})
    if _settings_update(request, form, TeamRoutingSerializer, team, do_update_team_routing):
        messages.success(request, f"Routing of team “{team.name}” is saved.")
        return redirect("settings-teams")
    return _form_page(request, form, section="teams", back="settings-teams",
                      title=f"Routing of team {team.name}")
