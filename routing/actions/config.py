"""Writes of routing's configuration from the settings pages: routing rules (save, move
up or down, reorder by drag and drop, delete), SLA policies and business hours (save,
delete). The caller has validated the values (api.serializers.routing, the same
validation as the API); each write is one transaction and logged with who made it."""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db import models, transaction

from routing.models import RoutingRule

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=models.Model)

POSITION_STEP = 10


def _who(by: User | None) -> str:
    return by.get_username() if by is not None else "omnidesk"


def do_save_config(model: type[M], instance: M | None, *, by: User | None,
                   values: dict[str, Any]) -> M:
    """Create (instance None) or update a rule, policy or business hours."""
    with transaction.atomic():
        if instance is None:
            if model is RoutingRule and "position" not in values:
                values = {**values, "position": _next_position()}
            saved = model._default_manager.create(**values)
        else:
            saved = model._default_manager.select_for_update().get(pk=instance.pk)
            for name, value in values.items():
                setattr(saved, name, value)
            saved.save()
    logger.info("%s %s saved (%s) by %s", model.__name__, saved.pk, sorted(values), _who(by))
    return saved


def do_delete_config(instance: models.Model, *, by: User | None) -> None:
    with transaction.atomic():
        type(instance)._default_manager.filter(pk=instance.pk).delete()
    logger.info("%s %s deleted by %s", type(instance).__name__, instance.pk, _who(by))


def _next_position() -> int:
    last = RoutingRule.objects.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + POSITION_STEP


def do_move_rule(rule: RoutingRule, *, up: bool, by: User | None) -> list[int]:
    """Swap the rule with its neighbour in the order; positions are renumbered 10, 20,
    ... under a lock of every rule, so two admins moving at once keep a total order.
    Returns the rule ids in their new order."""
    with transaction.atomic():
        rules = _locked_rules()
        ids = [r.pk for r in rules]
        if rule.pk in ids:
            i = ids.index(rule.pk)
            j = i - 1 if up else i + 1
            if 0 <= j < len(rules):
                rules[i], rules[j] = rules[j], rules[i]
        _renumber(rules)
    logger.info("routing rule %s moved %s by %s", rule.pk, "up" if up else "down", _who(by))
    return [r.pk for r in rules]


def do_reorder_rules(ids: list[int], *, by: User | None) -> list[int]:
    """Put the rules in the order of `ids` (the list as dragged on the settings page).
    Ids of rules that no longer exist are skipped; rules missing from `ids` (added by
    someone else since the page was drawn) keep their order after the listed ones.
    Same lock and renumbering as do_move_rule. Returns the rule ids in their new order."""
    with transaction.atomic():
        rules = _locked_rules()
        rank = {pk: n for n, pk in enumerate(dict.fromkeys(ids))}
        rules.sort(key=lambda r: (r.pk not in rank, rank.get(r.pk, 0)))
        _renumber(rules)
    order = [r.pk for r in rules]
    logger.info("routing rules reordered %s by %s", order, _who(by))
    return order


def _locked_rules() -> list[RoutingRule]:
    return list(RoutingRule.objects.select_for_update().order_by("position", "id"))


def _renumber(rules: list[RoutingRule]) -> None:
    for n, item in enumerate(rules, start=1):
        if item.position != n * POSITION_STEP:
            item.position = n * POSITION_STEP
            item.save(update_fields=["position"])
