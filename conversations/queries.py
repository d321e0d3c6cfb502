"""Reads of conversations and interactions as an agent may see them: the conversation
list with its filters, views and sorts, a conversation's timeline, and interactions
across conversations. Pages, the API, consumers and tasks all read through here.

Filters arrive as a plain mapping (a query string) and become a frozen, typed object;
a bad value raises InvalidFilter(param, message). Every list is a keyset page
(conversations.keyset): one query per page, a total only when asked for. What each
query selects is what its payload reads (conversations.payloads), so the number of
queries does not grow with the number of rows; tests pin it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from agents.access import agent_for, team_ids_of
from conversations import params as p
from conversations.access import (
    NotAgent,
    access_conversation,
    visible_conversations,
    visible_interactions,
)
from conversations.channels import INTERNAL, channel_kinds
from conversations.keyset import Ordering, Page, PageRequest, paginate
from conversations.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Interaction,
    InteractionKind,
    Priority,
    Status,
)
from conversations.models.conversation import RESPONSE_DUE_SORT_KEY, WAITING_SORT_KEY
from conversations.params import InvalidFilter as InvalidFilter
from conversations.params import Params
from conversations.payloads import (
    CONVERSATION_VALUES,
    INTERACTION_PREFETCH,
    INTERACTION_SELECT,
)
from omnidesk.db_adapters import timestamps_as_iso_text

# Every channel a message or call travels on (internal notes and events do not).

NONE: Literal["none"] = "none"
ME: Literal["me"] = "me"


class ConversationView(StrEnum):
    MINE = "mine"  # assigned to me
    UNASSIGNED = "unassigned"  # nobody's yet (among those I may see)
    MY_TEAMS = "my_teams"  # my teams' queues
    ALL = "all"  # everything: leads and admins only


class ConversationSort(StrEnum):
    LAST_ACTIVITY = "last_activity"  # newest activity first
    SLA_DUE = "sla_due"  # the response due soonest first; none due last
    LONGEST_WAITING = "longest_waiting"  # the customer waiting longest first; none last


CONVERSATION_ORDERINGS: dict[ConversationSort, Ordering] = {
    ConversationSort.LAST_ACTIVITY: Ordering(
        "conversations:last_activity", "last_activity_at", descending=True
    ),
    ConversationSort.SLA_DUE: Ordering(
        "conversations:sla_due", "sort_response_due", descending=False,
        expression=RESPONSE_DUE_SORT_KEY,
    ),
    ConversationSort.LONGEST_WAITING: Ordering(
        "conversations:longest_waiting", "sort_waiting_since", descending=False,
        expression=WAITING_SORT_KEY,
    ),
}

# The query parameters of the conversation list, for the API schema and the README.
CONVERSATION_PARAMETERS: dict[str, str] = {
    "view": "mine, unassigned, my_teams, or all (leads and admins); default: every "
            "conversation you may see.",
    "status": "open, pending, snoozed, resolved; comma-separated for several.",
    "waiting_channel": "The channel of the oldest unanswered inbound message (what a queue "
                       "needs): email, chat, sms, whatsapp, voice, api; comma-separated.",
    "used_channel": "Any channel the conversation used, either way; comma-separated.",
    "team": "A team id, or `none`.",
    "assignee": "An agent's user id, `me` or `none`.",
    "customer": "A customer id.",
    "inbox": "An inbox id: the inbox the customer last wrote to.",
    "priority": "0-3 or low, normal, high, urgent; comma-separated for several.",
    "tag": "Conversations that carry this tag.",
    "updated_since": "ISO 8601 datetime.",
    "sort": "last_activity (newest first, default), sla_due (due soonest first, none due "
            "last), longest_waiting (waiting longest first, nobody waiting last).",
}


@dataclass(frozen=True)
class ConversationFilters:
    view: ConversationView | None = None
    statuses: tuple[str, ...] = ()
    waiting_channels: tuple[str, ...] = ()
    used_channels: tuple[str, ...] = ()
    team: int | Literal["none"] | None = None
    assignee: int | Literal["me", "none"] | None = None
    customer: int | None = None
    inbox: int | None = None
    priorities: tuple[int, ...] = ()
    tag: str = ""
    updated_since: datetime | None = None
    sort: ConversationSort = ConversationSort.LAST_ACTIVITY

    @classmethod
    def parse(cls, params: Params) -> ConversationFilters:
        if p.raw(params, "channel"):
            raise InvalidFilter(
                "channel", "ambiguous: use waiting_channel (the channel the customer waits "
                "on) or used_channel (any channel the conversation used)"
            )
        view = p.raw(params, "view")
        return cls(
            view=ConversationView(p.choice(params, "view", ConversationView, view))
            if view else None,
            statuses=p.choices(params, "status", ConversationStatus.values),
            waiting_channels=p.choices(params, "waiting_channel", channel_kinds()),
            used_channels=p.choices(params, "used_channel", channel_kinds()),
            team=_id_or(params, "team", NONE),
            assignee=_assignee(params),
            customer=p.optional_id(params, "customer"),
            inbox=p.optional_id(params, "inbox"),
            priorities=_priorities(params),
            tag=p.text(params, "tag", max_length=50),
            updated_since=p.moment(params, "updated_since"),
            sort=ConversationSort(p.choice(params, "sort", ConversationSort, "last_activity")),
        )


def _id_or(params: Params, name: str, word: Literal["none"]) -> int | Literal["none"] | None:
    value = p.raw(params, name)
    if value == word:
        return word
    return p.parse_id(value, name) if value else None


def _assignee(params: Params) -> int | Literal["me", "none"] | None:
    return ME if p.raw(params, "assignee") == ME else _id_or(params, "assignee", NONE)


def _priorities(params: Params) -> tuple[int, ...]:
    """`?priority=2` or `?priority=high,urgent`."""
    by_name = {priority.name.lower(): int(priority.value) for priority in Priority}
    allowed = [*by_name, *map(str, by_name.values())]
    values = p.choices(params, "priority", allowed)
    return tuple(dict.fromkeys(by_name[v] if v in by_name else int(v) for v in values))


def json_list_holds_any(column: str, values: tuple[str, ...]) -> Q:
    """Conversations whose JSON list `column` holds any of `values`. PostgreSQL answers
    with jsonb containment (`@>`, served by a GIN index); SQLite, which has no such
    operator, looks inside with json_each."""
    if connection.vendor == "postgresql":
        match = Q()
        for value in values:
            match |= Q(**{f"{column}__contains": [value]})
        return match
    table = Conversation._meta.db_table
    marks = ", ".join(["%s"] * len(values))
    # Table and column are ours, never user input; the values are query parameters.
    sql = f"SELECT t.id FROM {table} t, json_each(t.{column}) j WHERE j.value IN ({marks})"  # noqa: S608
    return Q(pk__in=RawSQL(sql, list(values)))  # noqa: S611


def visible_conversation_set(user: Any, filters: ConversationFilters) -> QuerySet[Conversation]:
    """The conversations this user may see that pass `filters`, unordered, nothing
    selected. Raises NotAgent, or InvalidFilter for a view the user may not use."""
    agent = agent_for(user)
    if agent is None:
        raise NotAgent("not an agent")
    qs = visible_conversations(user)
    if filters.view == ConversationView.ALL and not agent.sees_everything:
        raise InvalidFilter("view", "only leads and admins see all conversations; use mine, "
                            "unassigned or my_teams")
    if filters.view == ConversationView.MINE:
        qs = qs.filter(assignee_id=user.pk)
    elif filters.view == ConversationView.UNASSIGNED:
        qs = qs.filter(assignee__isnull=True)
    elif filters.view == ConversationView.MY_TEAMS:
        qs = qs.filter(team_id__in=team_ids_of(agent))
    return _filtered(qs, filters, user.pk)


def _filtered(
    qs: QuerySet[Conversation], filters: ConversationFilters, user_id: int
) -> QuerySet[Conversation]:
    if filters.statuses:
        qs = qs.filter(status__in=filters.statuses)
    if filters.waiting_channels:
        qs = qs.filter(awaiting_since__isnull=False, awaiting_channel__in=filters.waiting_channels)
    if filters.used_channels:
        qs = qs.filter(json_list_holds_any("channels", filters.used_channels))
    if filters.team == NONE:
        qs = qs.filter(team__isnull=True)
    elif filters.team is not None:
        qs = qs.filter(team_id=filters.team)
    if filters.assignee == NONE:
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee is not None:
        qs = qs.filter(assignee_id=user_id if filters.assignee == ME else filters.assignee)
    if filters.customer is not None:
        qs = qs.filter(customer_id=filters.customer)
    if filters.inbox is not None:
        qs = qs.filter(last_inbound_inbox_id=filters.inbox)
    if filters.priorities:
        qs = qs.filter(priority__in=filters.priorities)
    if filters.tag:
        qs = qs.filter(json_list_holds_any("tags", (filters.tag,)))
    if filters.updated_since is not None:
        qs = qs.filter(updated_at__gte=filters.updated_since)
    return qs


def conversation_list(
    user: Any, filters: ConversationFilters, page: PageRequest
) -> Page[dict[str, Any]]:
    """One page of the list as `CONVERSATION_VALUES` rows (for
    `conversation_payload_from_values`; no model instances), customer, team, assignee and
    SLA clock joined: one query (two with a total). Their timestamps are ISO 8601 strings
    as the payload writes them (`timestamps_as_iso_text`), parsed by nobody."""
    qs = visible_conversation_set(user, filters).values(*CONVERSATION_VALUES)
    with timestamps_as_iso_text():
        return paginate(qs, CONVERSATION_ORDERINGS[filters.sort], page)


def count_conversations(user: Any, filters: ConversationFilters) -> int:
    return visible_conversation_set(user, filters).count()


# --- timelines and interactions --------------------------------------------------------


def timeline_ordering(name: str, params: Params, default: str = "asc") -> Ordering:
    """`?order=asc` (oldest first) or `desc`, by time then id."""
    order = p.choice(params, "order", ("asc", "desc"), default)
    return Ordering(f"{name}:{order}", "occurred_at", descending=order == "desc")


def show_remote_images(params: Params) -> bool:
    """`?remote_images=show` asks for remote images in `html`; `block` (default) keeps
    them out (tracking pixels)."""
    return p.choice(params, "remote_images", ("block", "show"), "block") == "show"


def with_payload_relations(qs: QuerySet[Interaction]) -> QuerySet[Interaction]:
    return qs.select_related(*INTERACTION_SELECT).prefetch_related(*INTERACTION_PREFETCH)


def conversation_timeline(
    user: Any, conversation_id: int | str, ordering: Ordering, page: PageRequest
) -> Page[Interaction]:
    """Every interaction of one conversation (Http404 unless the user may see it):
    the conversation, the page, and its attachments: three queries."""
    conversation = access_conversation(user, conversation_id)
    qs = with_payload_relations(Interaction.objects.filter(conversation=conversation))
    return paginate(qs, ordering, page)


@dataclass(frozen=True)
class InteractionFilters:
    channels: tuple[str, ...] = ()
    directions: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    customer: int | None = None
    conversation: int | None = None

    @classmethod
    def parse(cls, params: Params) -> InteractionFilters:
        return cls(
            channels=p.choices(params, "channel", (*channel_kinds(), INTERNAL)),
            directions=p.choices(params, "direction", Direction.values),
            kinds=p.choices(params, "kind", InteractionKind.values),
            statuses=p.choices(params, "status", Status.values),
            customer=p.optional_id(params, "customer"),
            conversation=p.optional_id(params, "conversation"),
        )


def interaction_list(
    user: Any, filters: InteractionFilters, ordering: Ordering, page: PageRequest
) -> Page[Interaction]:
    """Interactions across the conversations the user may see (for integrations that
    sync messages out)."""
    qs = visible_interactions(user)
    for field, values in (("channel", filters.channels), ("direction", filters.directions),
                          ("kind", filters.kinds), ("status", filters.statuses)):
        if values:
            qs = qs.filter(**{f"{field}__in": values})
    if filters.customer is not None:
        qs = qs.filter(customer_id=filters.customer)
    if filters.conversation is not None:
        qs = qs.filter(conversation_id=filters.conversation)
    return paginate(with_payload_relations(qs), ordering, page)


def visible_interaction(user: Any, interaction_id: int | str) -> Interaction | None:
    """One interaction with what its payload reads, if the user may see it."""
    try:
        pk = p.parse_id(str(interaction_id), "id")
    except InvalidFilter:
        return None
    return with_payload_relations(visible_interactions(user)).filter(pk=pk).first()
