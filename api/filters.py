"""Query-string filters of the list endpoints, in one place.

Every filter reads one parameter, validates it (a bad value is a 400 naming the
parameter, never a silently ignored filter) and narrows the queryset. They must run on
SQLite too (the embedded set-up): no JSONField `contains` lookups there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware
from rest_framework.exceptions import ValidationError

from conversations.models import (
    Channel,
    Conversation,
    ConversationStatus,
    Direction,
    Interaction,
    InteractionKind,
    Priority,
    Status,
)
from customers.identities import InvalidIdentity, normalize_email, normalize_phone
from customers.models import Customer, Identity, IdentityKind

Params = Mapping[str, str]
MESSAGE_CHANNELS = [c for c in Channel.values if c != Channel.INTERNAL]


def _bad(param: str, message: str) -> ValidationError:
    return ValidationError({param: [message]})


def _int(params: Params, name: str) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise _bad(name, f"must be a number, got {raw!r}") from None


def _text(params: Params, name: str) -> str:
    """A free-text parameter; PostgreSQL refuses NUL in any string it compares."""
    value = params.get(name, "").strip()
    if "\x00" in value:
        raise _bad(name, "must not contain NUL characters")
    return value


def _choices(params: Params, name: str, allowed: list[str]) -> list[str]:
    """A comma-separated list of allowed values: `?status=open,pending`."""
    values = [v.strip() for v in params.get(name, "").split(",") if v.strip()]
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise _bad(name, f"unknown value {unknown[0]!r}; expected one of {', '.join(allowed)}")
    return values


def _id_or_none(params: Params, name: str, *, me: int | None = None) -> int | str | None:
    """An id, "none" (the field is empty), or `me` resolved to the caller's id."""
    raw = params.get(name, "").strip()
    if raw == "none":
        return raw
    if raw == "me" and me is not None:
        return me
    return _int(params, name)


def parse_order(params: Params, default: str = "asc") -> str:
    order = params.get("order", default).strip() or default
    if order not in ("asc", "desc"):
        raise _bad("order", "must be asc or desc")
    return order


def _datetime(params: Params, name: str) -> datetime | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+"))  # an unencoded "+" arrives as a space
    except ValueError:  # well formed but no such time: 2026-02-30
        value = None
    if value is None:
        raise _bad(name, f"must be an ISO 8601 datetime, got {raw!r}")
    return make_aware(value, UTC) if is_naive(value) else value


def json_list_contains(model_table: str, column: str, value: str) -> Q:
    """Rows whose JSON list `column` holds `value`. PostgreSQL answers with jsonb
    containment; SQLite has no `contains` lookup for JSONField, so it asks json_each."""
    if connection.vendor == "postgresql":
        return Q(**{f"{column}__contains": [value]})
    # Table and column are ours, never user input; the value is a query parameter.
    sql = f"SELECT t.id FROM {model_table} t, json_each(t.{column}) j WHERE j.value = %s"  # noqa: S608
    return Q(pk__in=RawSQL(sql, [value]))  # noqa: S611


# --- customers -----------------------------------------------------------------------


def filter_customers(qs: QuerySet[Customer], params: Params) -> QuerySet[Customer]:
    search = _text(params, "search")
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Exists(Identity.objects.filter(customer=OuterRef("pk"), value__icontains=search))
        )
    identity = _text(params, "identity")
    if identity:
        named = Identity.objects.filter(_identity_match(identity), customer=OuterRef("pk"))
        qs = qs.filter(Exists(named))
    return qs


def _identity_match(value: str) -> Q:
    """The identities an exact look-up names: the value normalized as an email or a phone
    number (whichever it can be), or verbatim as an external id or chat visitor."""
    match = Q(kind__in=[IdentityKind.EXTERNAL, IdentityKind.CHAT], value=value)
    normalizers: list[tuple[str, Callable[[str], str]]] = [
        (IdentityKind.EMAIL, normalize_email),
        (IdentityKind.PHONE, normalize_phone),
    ]
    for kind, normalize in normalizers:
        try:
            match |= Q(kind=kind, value=normalize(value))
        except InvalidIdentity:
            continue
    return match


# --- conversations -------------------------------------------------------------------


def filter_conversations(
    qs: QuerySet[Conversation], params: Params, *, user_id: int
) -> QuerySet[Conversation]:
    statuses = _choices(params, "status", ConversationStatus.values)
    if statuses:
        qs = qs.filter(status__in=statuses)
    channels = _choices(params, "channel", MESSAGE_CHANNELS)
    if channels:
        # Any channel the conversation used, either way: an Exists over its interactions
        # works on every database, unlike a lookup inside the `channels` JSON list.
        used = Interaction.objects.filter(conversation=OuterRef("pk"), channel__in=channels)
        qs = qs.filter(Exists(used))
    team = _id_or_none(params, "team")
    if team == "none":
        qs = qs.filter(team__isnull=True)
    elif isinstance(team, int):
        qs = qs.filter(team_id=team)
    assignee = _id_or_none(params, "assignee", me=user_id)
    if assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif isinstance(assignee, int):
        qs = qs.filter(assignee_id=assignee)
    customer = _int(params, "customer")
    if customer is not None:
        qs = qs.filter(customer_id=customer)
    since = _datetime(params, "updated_since")
    if since is not None:
        qs = qs.filter(updated_at__gte=since)
    priorities = _priorities(params)
    if priorities:
        qs = qs.filter(priority__in=priorities)
    tag = _text(params, "tag")
    if tag:
        qs = qs.filter(json_list_contains(Conversation._meta.db_table, "tags", tag))
    return qs


def _priorities(params: Params) -> list[int]:
    """`?priority=2` or `?priority=high,urgent`."""
    by_name = {p.name.lower(): int(p.value) for p in Priority}
    allowed = [*by_name, *map(str, by_name.values())]
    return [by_name[v] if v in by_name else int(v) for v in _choices(params, "priority", allowed)]


# --- interactions --------------------------------------------------------------------


def filter_interactions(qs: QuerySet[Interaction], params: Params) -> QuerySet[Interaction]:
    for name, allowed in (
        ("channel", Channel.values),
        ("direction", Direction.values),
        ("kind", InteractionKind.values),
        ("status", Status.values),
    ):
        values = _choices(params, name, allowed)
        if values:
            qs = qs.filter(**{f"{name}__in": values})
    for name in ("customer", "conversation"):
        value = _int(params, name)
        if value is not None:
            qs = qs.filter(**{f"{name}_id": value})
    return qs


def order_interactions(
    qs: QuerySet[Interaction], params: Params, default: str
) -> QuerySet[Interaction]:
    if parse_order(params, default) == "desc":
        return qs.order_by("-occurred_at", "-id")
    return qs.order_by("occurred_at", "id")
