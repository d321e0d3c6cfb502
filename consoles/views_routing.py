"""Settings → Routing: routing rules (ordered, move up or down or drag, a dry run on a
chosen conversation), SLA policies, business hours and holidays, and each agent's and team's
routing settings. Each form's data is validated by the API's serializer and written by
routing's or agents' actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
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
from conversations.models import Conversation, Inbox, Priority
from routing.actions.config import (
    do_delete_config,
    do_move_rule,
    do_reorder_rules,
    do_save_config,
)
from routing.models import BusinessHours, RoutingRule, SLAPolicy
from routing.rules import dry_run


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


def _config_form(request: HttpRequest, page: ConfigPage, instance: Any) -> HttpResponse:
    """Create or edit one routing configuration object: the form, checked by the API's
    serializer, saved through routing's action."""
    form = page.form_class(request.POST or None, **{page.form_kwarg: instance})
    if request.method == "POST" and form.is_valid():
        values = _validated(form, page.serializer, instance)
        if values is not None:
            saved = do_save_config(page.model, instance, by=_by(request), values=values)
            messages.success(request, f"{page.noun} “{saved.name}” {page.verb} saved.")
            return redirect(page.list_url)
    return _form_page(request, form, section=page.section, back=page.list_url,
                      title=instance.name if instance else page.new_title, item=instance,
                      delete_url=page.delete_url)


def _config_delete(request: HttpRequest, page: ConfigPage, instance: Any) -> HttpResponse:
    do_delete_config(instance, by=_by(request))
    messages.success(request, f"{page.noun} “{instance.name}” {page.verb} deleted.")
    return redirect(page.list_url)


@dataclass(frozen=True)
class ConfigPage:
    """What the settings pages of one kind of routing configuration differ in."""

    model: Any
    form_class: Any
    form_kwarg: str  # what its form calls the object it edits
    serializer: type[serializers.ModelSerializer[Any]]
    section: str
    list_url: str
    delete_url: str
    noun: str
    new_title: str
    verb: str = "is"


RULES = ConfigPage(RoutingRule, RuleForm, "rule", RoutingRuleSerializer, "routing",
                   "settings-routing", "settings-rule-delete", "Routing rule",
                   "New routing rule")
POLICIES = ConfigPage(SLAPolicy, PolicyForm, "policy", SLAPolicySerializer, "sla",
                      "settings-sla", "settings-sla-delete", "SLA policy", "New SLA policy")
HOURS = ConfigPage(BusinessHours, HoursForm, "hours", BusinessHoursSerializer, "hours",
                   "settings-hours", "settings-hours-delete", "Business hours",
                   "New business hours", verb="are")


# ---------------------------------------------------------------- rules
CONDITION_LABELS = {
    "channels": "Channel", "inbox_ids": "Inbox", "customer_tags": "Customer tag",
    "customer_attributes": "Customer", "languages": "Language", "keywords": "Words",
    "priorities": "Priority", "business_hours": "Hours",
}


def _when(rule: RoutingRule, hours: dict[int, str],
          inboxes: dict[int, str]) -> list[tuple[str, str]]:
    """A rule's conditions in words, for the list."""
    found = []
    for name, value in (rule.conditions or {}).items():
        if name == "inbox_ids":
            text = ", ".join(inboxes.get(pk, f"inbox {pk} (deleted)") for pk in value)
        elif name == "customer_attributes":
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
    inboxes = dict(Inbox.objects.values_list("pk", "name"))
    for rule in rules:
        rule.when = _when(rule, hours, inboxes)  # type: ignore[attr-defined]
    dry: dict[str, Any] | None = None
    asked = request.GET.get("conversation", "").strip()
    if asked:
        conversation = (Conversation.objects.select_related("customer")
                        .filter(pk=int(asked) if asked.isdigit() and len(asked) < 18 else 0)
                        .first())
        if conversation is None:
            dry = {"asked": asked, "missing": True}
        else:
            matched, verdicts = dry_run(conversation)
            dry = {"asked": asked, "conversation": conversation, "matched": matched,
                   "verdicts": verdicts}
    return render(request, "consoles/routing_rules.html", {
        "section": "routing", "rules": rules, "dry": dry,
    })


@admin_page
def rule_form(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    rule = get_object_or_404(RoutingRule, pk=rule_id) if rule_id is not None else None
    return _config_form(request, RULES, rule)

@admin_page
@require_POST
def rule_move(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(RoutingRule, pk=rule_id)
    do_move_rule(rule, up=request.POST.get("direction") == "up", by=_by(request))
    return redirect("settings-routing")


@admin_page
@require_POST
def rule_reorder(request: HttpRequest) -> HttpResponse:
    """The whole order at once (`order`: rule ids, comma-separated), as the list was
    dragged (static/js/routing_rules.js). Answers the saved order as JSON to the page's
    script, or goes back to the list."""
    parts = [p.strip() for p in request.POST.get("order", "").split(",") if p.strip()]
    if not parts or not all(p.isdigit() and len(p) < 18 for p in parts):
        return HttpResponse("order: rule ids separated by commas.", status=400,
                            content_type="text/plain; charset=utf-8")
    order = do_reorder_rules([int(p) for p in parts], by=_by(request))
    if request.headers.get("X-Requested-With") == "fetch":
        return JsonResponse({"order": order})
    messages.success(request, "The rules' order is saved.")
    return redirect("settings-routing")


@admin_page
@require_POST
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    return _config_delete(request, RULES, get_object_or_404(RoutingRule, pk=rule_id))

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
    return _config_form(request, POLICIES, policy)

@admin_page
@require_POST
def policy_delete(request: HttpRequest, policy_id: int) -> HttpResponse:
    return _config_delete(request, POLICIES, get_object_or_404(SLAPolicy, pk=policy_id))

# ---------------------------------------------------------------- business hours
@admin_page
def hours_list(request: HttpRequest) -> HttpResponse:
    return render(request, "consoles/business_hours.html", {
        "section": "hours", "calendars": BusinessHours.objects.order_by("name"),
    })


@admin_page
def hours_form(request: HttpRequest, hours_id: int | None = None) -> HttpResponse:
    hours = get_object_or_404(BusinessHours, pk=hours_id) if hours_id is not None else None
    return _config_form(request, HOURS, hours)

@admin_page
@require_POST
def hours_delete(request: HttpRequest, hours_id: int) -> HttpResponse:
    return _config_delete(request, HOURS, get_object_or_404(BusinessHours, pk=hours_id))

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
