"""Routing rules, evaluated: which rule matches a conversation, and why each did or did
not (the dry run shows this; the worker applies the first match)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from conversations.models import Conversation, Interaction
from routing.calendar import business_seconds_between
from routing.models import BusinessHours, RoutingRule

CONDITIONS = (
    "channels", "inbox_ids", "customer_tags", "customer_attributes", "languages",
    "keywords", "priorities", "business_hours",
)


@dataclass(frozen=True)
class Facts:
    channel: str
    inbox_id: int | None
    customer_tags: list[str]
    customer_attributes: dict[str, Any]
    language: str
    text: str
    priority: int
    now: datetime


@dataclass
class Verdict:
    rule: RoutingRule
    checks: list[tuple[str, bool, str]] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return all(ok for _name, ok, _why in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.rule.pk,
            "name": self.rule.name,
            "matched": self.matched,
            "checks": [{"condition": n, "ok": ok, "why": why} for n, ok, why in self.checks],
        }


def facts_of(conversation: Conversation, interaction: Interaction | None) -> Facts:
    customer = conversation.customer
    text = " ".join(
        part for part in (conversation.subject, interaction.text if interaction else "") if part
    )
    return Facts(
        channel=(interaction.channel if interaction else conversation.last_inbound_channel),
        inbox_id=(interaction.inbox_id if interaction else conversation.last_inbound_inbox_id),
        customer_tags=list(customer.tags or []),
        customer_attributes=dict(customer.attributes or {}),
        language=customer.language,
        text=text.lower(),
        priority=conversation.priority,
        now=timezone.now(),
    )


def _words(values: Any) -> str:
    """A list as a person reads it in a dry run: "email, chat" (none: "none")."""
    return ", ".join(f"“{v}”" if isinstance(v, str) else str(v) for v in values) or "none"


def _check(name: str, wanted: Any, facts: Facts) -> tuple[bool, str]:
    if name == "channels":
        return facts.channel in wanted, (
            f"channel {facts.channel or 'unknown'}, wanted {_words(wanted)}")
    if name == "inbox_ids":
        return facts.inbox_id in wanted, f"inbox {facts.inbox_id}, wanted {_words(wanted)}"
    if name == "customer_tags":
        hits = sorted(set(wanted) & set(facts.customer_tags))
        return bool(hits), (
            f"customer tags {_words(facts.customer_tags)}, wanted any of {_words(wanted)}")
    if name == "customer_attributes":
        wrong = {k: facts.customer_attributes.get(k) for k, v in wanted.items()
                 if facts.customer_attributes.get(k) != v}
        differ = ", ".join(
            f"{k} is {'not set' if got is None else repr(got)}, wanted {wanted[k]!r}"
            for k, got in wrong.items())
        return not wrong, differ if wrong else "attributes match"
    if name == "languages":
        return facts.language in wanted, (
            f"language {facts.language or 'unknown'}, wanted {_words(wanted)}")
    if name == "keywords":
        hits = [w for w in wanted if str(w).lower() in facts.text]
        return bool(hits), (f"found {_words(hits)}" if hits
                            else f"none of {_words(wanted)} in subject or text")
    if name == "priorities":
        return facts.priority in wanted, f"priority {facts.priority}, wanted {_words(wanted)}"
    if name == "business_hours":
        hours = BusinessHours.objects.filter(pk=wanted.get("id")).first()
        if hours is None:
            return False, f"business hours {wanted.get('id')} do not exist"
        inside = business_seconds_between(
            facts.now, facts.now + timedelta(seconds=1), hours.calendar()
        ) > 0
        want_inside = bool(wanted.get("inside", True))
        where = "inside" if inside else "outside"
        return inside == want_inside, f"{where} {hours.name}"
    return False, f"unknown condition {name!r}"


def evaluate(rule: RoutingRule, facts: Facts) -> Verdict:
    verdict = Verdict(rule)
    if rule.inbox_id is not None:
        verdict.checks.append(("inbox", rule.inbox_id == facts.inbox_id,
                               f"rule for inbox {rule.inbox_id}, conversation's {facts.inbox_id}"))
    for name in CONDITIONS:
        if name in (rule.conditions or {}):
            ok, why = _check(name, rule.conditions[name], facts)
            verdict.checks.append((name, ok, why))
    return verdict


def rules_for(facts: Facts, *, channel_switch: bool = False) -> list[RoutingRule]:
    rules = RoutingRule.objects.filter(active=True).filter(
        Q(inbox__isnull=True) | Q(inbox_id=facts.inbox_id)
    )
    if channel_switch:
        rules = rules.filter(run_on_channel_switch=True)
    return list(rules.order_by("position", "id"))


def first_match(
    facts: Facts, *, channel_switch: bool = False
) -> tuple[RoutingRule | None, list[Verdict]]:
    """The winning rule (or None) and the verdicts up to it."""
    verdicts = []
    for rule in rules_for(facts, channel_switch=channel_switch):
        verdict = evaluate(rule, facts)
        verdicts.append(verdict)
        if verdict.matched:
            return rule, verdicts
    return None, verdicts


def validate_conditions(conditions: Any) -> list[str]:
    """What is wrong with a rule's conditions (empty: nothing)."""
    if not isinstance(conditions, dict):
        return ["conditions is an object"]
    errors = [f"unknown condition {name!r}" for name in conditions if name not in CONDITIONS]
    for name in ("channels", "inbox_ids", "customer_tags", "languages", "keywords",
                 "priorities"):
        if name in conditions and not isinstance(conditions[name], list):
            errors.append(f"{name} is a list")
    for name in ("customer_attributes", "business_hours"):
        if name in conditions and not isinstance(conditions[name], dict):
            errors.append(f"{name} is an object")
    hours = conditions.get("business_hours")
    if isinstance(hours, dict) and not (
        isinstance(hours.get("id"), int) and not isinstance(hours.get("id"), bool)
        and 0 < hours["id"] < 2**63 and isinstance(hours.get("inside", True), bool)
    ):
        errors.append("business_hours is {\"id\": a business hours id, \"inside\": true|false}")
    return errors


def dry_run(conversation: Conversation) -> tuple[RoutingRule | None, list[Verdict]]:
    """Which rule would route this conversation now (on its latest inbound message), and
    each rule's verdict up to it. Changes nothing: the API's and the settings page's dry
    run."""
    latest = conversation.interactions.filter(direction="in").order_by("-id").first()
    return first_match(facts_of(conversation, latest))
