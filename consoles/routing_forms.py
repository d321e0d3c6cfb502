"""The settings forms of routing: rules, SLA policies, business hours, an agent's and a
team's routing settings. They read fields a person fills in and turn them into the data
the API takes (`data()`); the API's serializers (api.serializers.routing) validate it,
so a rule saved here is checked exactly as one posted to /api/v1/routing-rules/."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User

from agents.models import AssignmentMode, Team
from conversations.channels import channel_choices
from conversations.models import Inbox, Priority
from routing.models import BusinessHours, RoutingRule, SLAPolicy

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_LABELS = dict(zip(DAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                             "Saturday", "Sunday"), strict=True))


def words(value: str) -> list[str]:
    return [w.strip() for w in (value or "").split(",") if w.strip()]


def joined(value: Any) -> str:
    return ", ".join(str(v) for v in value or [])


def _channels() -> list[tuple[str, str]]:
    return channel_choices()


def _agents() -> Any:
    return User.objects.filter(agent__isnull=False, is_active=True).order_by("username")


class AgentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class RuleForm(forms.Form):
    name = forms.CharField(max_length=100)
    active = forms.BooleanField(required=False, initial=True)
    inbox = forms.ModelChoiceField(Inbox.objects.order_by("name"), required=False,
                                   empty_label="Every inbox", label="Rule of the inbox",
                                   help_text="A rule of one inbox runs on its conversations "
                                             "only; with no conditions it is that inbox's "
                                             "default.")
    channels = forms.MultipleChoiceField(choices=_channels, required=False,
                                         widget=forms.CheckboxSelectMultiple,
                                         label="When the channel is")
    inbox_ids = forms.ModelMultipleChoiceField(
        Inbox.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple,
        label="…the message came into one of these inboxes",
        help_text="Any of them; none ticked: any inbox.")
    keywords = forms.CharField(required=False, label="…the subject or message contains",
                               help_text="Any of these words, separated by commas.")
    customer_tags = forms.CharField(required=False, label="…the customer has a tag",
                                    help_text="Any of these tags, separated by commas.")
    customer_attributes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}),
        label="…the customer's attributes are",
        help_text="One per line: name=value (all must hold), e.g. tier=gold.")
    languages = forms.CharField(required=False, label="…the customer's language is",
                                help_text="Language codes separated by commas, e.g. en, fr.")
    priorities = forms.TypedMultipleChoiceField(
        choices=Priority.choices, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple, label="…the priority is")
    business_hours = forms.ModelChoiceField(BusinessHours.objects.order_by("name"),
                                            required=False, empty_label="At any time",
                                            label="…it arrives, by these business hours")
    inside_hours = forms.TypedChoiceField(
        choices=[(1, "inside them"), (0, "outside them")], coerce=int, initial=1,
        required=False, label="Inside or outside the hours")
    run_on_channel_switch = forms.BooleanField(
        required=False, label="Also when a customer moves to another channel")
    set_team = forms.ModelChoiceField(Team.objects.order_by("name"), required=False,
                                      empty_label="Keep the team", label="Then: send to team")
    set_priority = forms.TypedChoiceField(choices=[("", "Keep the priority"),
                                                   *Priority.choices],
                                          coerce=int, empty_value=None, required=False,
                                          label="…set the priority")
    add_tags = forms.CharField(required=False, label="…add tags",
                               help_text="Separated by commas.")
    set_agent = AgentChoice(_agents(), required=False, empty_label="Nobody in particular",
                            label="…assign to")

    def __init__(self, *args: Any, rule: RoutingRule | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["set_agent"].queryset = _agents()  # type: ignore[attr-defined]
        if rule is not None and not self.is_bound:
            c = rule.conditions or {}
            hours = c.get("business_hours") or {}
            self.initial.update({
                "name": rule.name, "active": rule.active, "inbox": rule.inbox_id,
                "channels": c.get("channels", []), "inbox_ids": c.get("inbox_ids", []),
                "keywords": joined(c.get("keywords")),
                "customer_tags": joined(c.get("customer_tags")),
                "customer_attributes": "\n".join(
                    f"{k}={v}" for k, v in (c.get("customer_attributes") or {}).items()),
                "languages": joined(c.get("languages")),
                "priorities": c.get("priorities", []),
                "business_hours": hours.get("id"),
                "inside_hours": 1 if hours.get("inside", True) else 0,
                "run_on_channel_switch": rule.run_on_channel_switch,
                "set_team": rule.set_team_id, "set_priority": rule.set_priority,
                "add_tags": joined(rule.add_tags), "set_agent": rule.set_agent_id,
            })

    def clean_customer_attributes(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for line in str(self.cleaned_data.get("customer_attributes") or "").splitlines():
            if not line.strip():
                continue
            name, sep, value = line.partition("=")
            if not sep or not name.strip():
                raise forms.ValidationError(f"“{line.strip()}” is not name=value.")
            found[name.strip()] = value.strip()
        return found

    def data_for_api(self) -> dict[str, Any]:
        d = self.cleaned_data
        conditions: dict[str, Any] = {}
        for name in ("channels", "priorities"):
            if d.get(name):
                conditions[name] = list(d[name])
        if d.get("inbox_ids"):
            conditions["inbox_ids"] = sorted(inbox.pk for inbox in d["inbox_ids"])
        for name in ("keywords", "customer_tags", "languages"):
            if words(d.get(name) or ""):
                conditions[name] = words(d[name])
        if d.get("customer_attributes"):
            conditions["customer_attributes"] = d["customer_attributes"]
        if d.get("business_hours") is not None:
            conditions["business_hours"] = {"id": d["business_hours"].pk,
                                            "inside": bool(d.get("inside_hours", 1))}
        return {
            "name": d["name"], "active": d["active"],
            "inbox": d["inbox"].pk if d.get("inbox") else None,
            "conditions": conditions, "run_on_channel_switch": d["run_on_channel_switch"],
            "set_team": d["set_team"].pk if d.get("set_team") else None,
            "set_priority": d.get("set_priority"),
            "add_tags": words(d.get("add_tags") or ""),
            "set_agent": d["set_agent"].pk if d.get("set_agent") else None,
        }


def _minutes(label: str, required: bool = False, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, required=required,
                              help_text=help_text or "Minutes.")


class PolicyForm(forms.Form):
    name = forms.CharField(max_length=100)
    active = forms.BooleanField(required=False, initial=True)
    channel = forms.ChoiceField(choices=lambda: [("", "Any channel"), *channel_choices()],
                                required=False)
    priority = forms.TypedChoiceField(choices=[("", "Any priority"), *Priority.choices],
                                      coerce=int, empty_value=None, required=False)
    customer_tier = forms.CharField(max_length=50, required=False,
                                    help_text="The customer's “tier” attribute; empty: any.")
    first_response_minutes = _minutes("First response within", required=True)
    next_response_minutes = _minutes("Next response within",
                                     help_text="Minutes; empty: as the first response.")
    resolution_minutes = _minutes("Resolution within", help_text="Minutes; empty: none.")
    warn_percent = forms.IntegerField(min_value=1, max_value=99, initial=75,
                                      label="Warn (at risk) when this share is used",
                                      help_text="Per cent of the target.")
    business_hours = forms.ModelChoiceField(BusinessHours.objects.order_by("name"),
                                            required=False, empty_label="Around the clock")
    pause_outside_hours = forms.BooleanField(required=False, initial=True,
                                             label="Pause the clock outside business hours")
    escalate_notify_lead = forms.BooleanField(required=False, initial=True,
                                              label="On breach, notify the leads")
    escalate_raise_priority = forms.BooleanField(required=False,
                                                 label="On breach, raise the priority")

    def __init__(self, *args: Any, policy: SLAPolicy | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if policy is not None and not self.is_bound:
            def minutes(seconds: int | None) -> int | None:
                return None if seconds is None else max(1, round(seconds / 60))
            self.initial.update({
                "name": policy.name, "active": policy.active, "channel": policy.channel,
                "priority": policy.priority, "customer_tier": policy.customer_tier,
                "first_response_minutes": minutes(policy.first_response_seconds),
                "next_response_minutes": minutes(policy.next_response_seconds),
                "resolution_minutes": minutes(policy.resolution_seconds),
                "warn_percent": policy.warn_percent,
                "business_hours": policy.business_hours_id,
                "pause_outside_hours": policy.pause_outside_hours,
                "escalate_notify_lead": policy.escalate_notify_lead,
                "escalate_raise_priority": policy.escalate_raise_priority,
            })

    def data_for_api(self) -> dict[str, Any]:
        d = self.cleaned_data

        def seconds(name: str) -> int | None:
            return None if d.get(name) is None else int(d[name]) * 60
        return {
            "name": d["name"], "active": d["active"], "channel": d.get("channel") or "",
            "priority": d.get("priority"), "customer_tier": d.get("customer_tier") or "",
            "first_response_seconds": seconds("first_response_minutes"),
            "next_response_seconds": seconds("next_response_minutes"),
            "resolution_seconds": seconds("resolution_minutes"),
            "warn_percent": d.get("warn_percent") or 75,
            "business_hours": d["business_hours"].pk if d.get("business_hours") else None,
            "pause_outside_hours": d["pause_outside_hours"],
            "escalate_notify_lead": d["escalate_notify_lead"],
            "escalate_raise_priority": d["escalate_raise_priority"],
        }


class HoursForm(forms.Form):
    name = forms.CharField(max_length=100)
    timezone = forms.CharField(max_length=64, initial="UTC", label="Time zone",
                               help_text="An IANA time zone, e.g. Europe/Paris.")
    holiday_country = forms.CharField(max_length=8, required=False,
                                      help_text="ISO country code (public holidays from the "
                                                "holidays library), e.g. FR; empty: none.")
    holiday_subdivision = forms.CharField(max_length=16, required=False,
                                          label="Region", help_text="Optional, e.g. BY.")
    closed_dates = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                   label="Other closed dates",
                                   help_text="YYYY-MM-DD, separated by commas or lines.")

    def __init__(self, *args: Any, hours: BusinessHours | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day in DAYS:
            self.fields[f"{day}_hours"] = forms.CharField(
                required=False, label=DAY_LABELS[day],
                help_text="e.g. 09:00-12:30, 13:30-17:00; empty: closed." if day == "mon"
                else "")
        if not self.is_bound:
            weekly = hours.weekly_hours if hours is not None else {
                d: [["09:00", "17:00"]] for d in DAYS[:5]}
            for day in DAYS:
                self.initial[f"{day}_hours"] = ", ".join(
                    f"{a}-{b}" for a, b in weekly.get(day, []))
            if hours is not None:
                self.initial.update({
                    "name": hours.name, "timezone": hours.timezone,
                    "holiday_country": hours.holiday_country,
                    "holiday_subdivision": hours.holiday_subdivision,
                    "closed_dates": ", ".join(hours.closed_dates or []),
                })

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for day in DAYS:
            spans = []
            for part in words(str(cleaned.get(f"{day}_hours") or "")):
                opens, sep, closes = part.partition("-")
                if not sep:
                    self.add_error(f"{day}_hours", f"“{part}” is not opens-closes (09:00-17:00).")
                    break
                spans.append([opens.strip(), closes.strip()])
            cleaned[f"{day}_spans"] = spans
        return cleaned

    def data_for_api(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "name": d["name"], "timezone": d["timezone"].strip(),
            "weekly_hours": {day: d[f"{day}_spans"] for day in DAYS if d[f"{day}_spans"]},
            "holiday_country": d.get("holiday_country", "").strip().upper(),
            "holiday_subdivision": d.get("holiday_subdivision", "").strip().upper(),
            "closed_dates": words(str(d.get("closed_dates") or "").replace("\n", ",")),
        }


def _capacity_fields(form: forms.Form, current: dict[str, int], hint: str) -> None:
    for kind, label in channel_choices():
        form.fields[f"capacity_{kind}"] = forms.IntegerField(
            min_value=0, max_value=1000, required=False, label=f"{label} capacity",
            help_text=hint)
        if not form.is_bound and kind in current:
            form.initial[f"capacity_{kind}"] = current[kind]


def _capacities(form: forms.Form) -> dict[str, int]:
    return {kind: int(form.cleaned_data[f"capacity_{kind}"]) for kind, _ in channel_choices()
            if form.cleaned_data.get(f"capacity_{kind}") is not None}


class AgentRoutingForm(forms.Form):
    skills = forms.CharField(required=False, help_text="Separated by commas.")
    languages = forms.CharField(required=False,
                                help_text="Language codes separated by commas, e.g. en, de.")

    def __init__(self, *args: Any, capacities: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _capacity_fields(self, capacities, "Open conversations at once; empty: the team's.")

    def data_for_api(self) -> dict[str, Any]:
        return {"skills": words(self.cleaned_data.get("skills") or ""),
                "languages": words(self.cleaned_data.get("languages") or ""),
                "capacities": _capacities(self)}


class TeamRoutingForm(forms.Form):
    assignment_mode = forms.ChoiceField(
        choices=AssignmentMode.choices,
        help_text="Round robin: the agent who waited longest; least busy: the lightest "
                  "load; manual: nobody is assigned automatically.")

    def __init__(self, *args: Any, capacities: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _capacity_fields(self, capacities, "Per agent; empty: the default (chat 3, "
                                           "voice 1, others 10).")

    def data_for_api(self) -> dict[str, Any]:
        return {"assignment_mode": self.cleaned_data["assignment_mode"],
                "capacities": _capacities(self)}
