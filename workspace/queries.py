"""The workspace's reads: the inbox list (the read layer's conversation list, plus the
agent's read marks and the customers' identities), one row of it for live updates, a
conversation's timeline pages, the customer's other conversations and the panel.

Every read is a fixed number of queries whatever the number of rows; tests pin them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from agents.access import agent_for
from conversations import params as p
from conversations.access import visible_conversations
from conversations.keyset import Ordering, Page, PageRequest, paginate
from conversations.models import Conversation, ConversationRead, ConversationStatus, Interaction
from conversations.params import InvalidFilter, Params
from conversations.payloads import CONVERSATION_SELECT
from conversations.queries import (
    CONVERSATION_ORDERINGS,
    ConversationFilters,
    ConversationView,
    visible_conversation_set,
    with_payload_relations,
)
from customers.models import Consent, Customer, Identity
from workspace.sla import RESPONSE_DUE, RISK_AT, STATES, sla_filter

LIST_PAGE_SIZE = 30
TIMELINE_PAGE_SIZE = 50
EARLIER_LIMIT = 20
TIMELINE_ORDERING = Ordering("workspace:timeline", "occurred_at", descending=True)
STATUS_ANY = "any"


@dataclass(frozen=True)
class InboxFilters:
    """The list's URL: the read layer's filters, plus the SLA state, with the
    workspace's defaults (open conversations; an agent's teams, everything for leads)."""

    base: ConversationFilters = field(default_factory=ConversationFilters)
    sla: str = ""
    status_any: bool = False

    @classmethod
    def parse(cls, params: Params, user: Any) -> InboxFilters:
        clean = {k: params.get(k, "") for k in params if k not in ("status", "sla", "channel")}
        # The inbox's "channel" is the channel the customer waits on.
        if p.raw(params, "channel") and not p.raw(params, "waiting_channel"):
            clean["waiting_channel"] = p.raw(params, "channel")
        status = p.raw(params, "status")
        status_any = status == STATUS_ANY
        if status and not status_any:
            clean["status"] = status
        elif not status:
            clean["status"] = ConversationStatus.OPEN
        base = ConversationFilters.parse(clean)
        if base.view is None:
            agent = agent_for(user)
            everything = agent is not None and agent.sees_everything
            base = replace(base, view=ConversationView.ALL if everything
                           else ConversationView.MY_TEAMS)
        sla = p.choice(params, "sla", STATES, "") if p.raw(params, "sla") else ""
        return cls(base=base, sla=sla, status_any=status_any)


def _read_at(user: Any) -> Subquery:
    return Subquery(
        ConversationRead.objects.filter(user_id=user.pk, conversation_id=OuterRef("pk"))
        .values("read_at")[:1]
    )


def _identities() -> Prefetch[Any]:
    return Prefetch("customer__identities",
                    queryset=Identity.objects.order_by("-verified", "kind", "id"))


def inbox_rows(user: Any, filters: InboxFilters) -> QuerySet[Conversation]:
    qs = visible_conversation_set(user, filters.base)
    if filters.sla:
        qs = qs.annotate(sla_due=RESPONSE_DUE, sla_risk_at=RISK_AT).filter(sla_filter(filters.sla))
    return (
        qs.select_related(*CONVERSATION_SELECT)
        .prefetch_related(_identities())
        .annotate(read_at=_read_at(user))
    )


def inbox_page(user: Any, filters: InboxFilters, page: PageRequest) -> Page[Conversation]:
    """One page of the list: the page, the customers' identities (two queries; an agent's
    teams are read once more)."""
    return paginate(inbox_rows(user, filters), ordering_of(filters), page)


def ordering_of(filters: InboxFilters) -> Ordering:
    return CONVERSATION_ORDERINGS[filters.base.sort]


def inbox_row(user: Any, filters: InboxFilters, conversation_id: int) -> Conversation | None:
    """The conversation as a row of this list, or None when it is not in it (any more):
    a live update asks this before it adds, moves or drops a row."""
    ordering = ordering_of(filters)
    qs = inbox_rows(user, filters).filter(pk=conversation_id)
    if ordering.expression is not None:
        qs = qs.annotate(**{ordering.key: ordering.expression})
    return qs.first()


def sort_value(row: Conversation, ordering: Ordering) -> datetime:
    value: datetime = getattr(row, ordering.key)
    return value


# --- a conversation --------------------------------------------------------------------


def timeline_page(conversation: Conversation, page: PageRequest) -> Page[Interaction]:
    """Newest first, with what each item shows (two queries: the page, attachments)."""
    qs = with_payload_relations(Interaction.objects.filter(conversation=conversation))
    return paginate(qs, TIMELINE_ORDERING, page)


def earlier_conversations(user: Any, conversation: Conversation) -> list[Conversation]:
    """The customer's other conversations this agent may see, newest first (one query)."""
    return list(
        visible_conversations(user)
        .filter(customer_id=conversation.customer_id)
        .exclude(pk=conversation.pk)
        .select_related("assignee", "team")
        .order_by("-last_activity_at", "-id")[:EARLIER_LIMIT]
    )


# Timeline events the panel gathers across the customer's conversations: the csat app's
# answers and the help center's article reads (their event types, not their apps).
CSAT_ANSWERED = "csat_answered"
ARTICLE_VIEWED = "article_viewed"
EXTRAS_LIMIT = 40  # events read; at most PANEL_LIST of each shown
PANEL_LIST = 5
CLAIMED_EMAIL = "chat_claimed_email"  # attributes: the address a chat visitor gave


@dataclass(frozen=True)
class CsatAnswer:
    rating: int
    effort: int | None
    text: str
    at: datetime
    conversation_id: int


@dataclass(frozen=True)
class ArticleRead:
    title: str
    url: str
    at: datetime


@dataclass(frozen=True)
class CustomerPanel:
    customer: Customer  # identities prefetched, each with its consents
    conversations: list[Conversation]
    csat: list[CsatAnswer] = field(default_factory=list)
    articles: list[ArticleRead] = field(default_factory=list)

    @property
    def claimed_email(self) -> str:
        """What a chat visitor said their email was, unless an identity already has it."""
        claimed = str(self.customer.attributes.get(CLAIMED_EMAIL) or "").strip()
        if not claimed or any(i.value.lower() == claimed.lower()
                              for i in self.customer.identities.all()):
            return ""
        return claimed

    @property
    def attributes(self) -> dict[str, Any]:
        return {k: v for k, v in self.customer.attributes.items() if k != CLAIMED_EMAIL}


def customer_extras(user: Any, customer_id: int
                    ) -> tuple[list[CsatAnswer], list[ArticleRead]]:
    """The newest CSAT answer of each survey and the articles read (newest read of each),
    from the events on the conversations of the customer `user` may see: one query."""
    events = (
        Interaction.objects.filter(
            customer_id=customer_id, event_type__in=[CSAT_ANSWERED, ARTICLE_VIEWED],
            conversation__in=visible_conversations(user).filter(customer_id=customer_id)
            .values("pk"),
        )
        .order_by("-occurred_at", "-id")
        .only("event_type", "meta", "text", "occurred_at", "conversation_id")[:EXTRAS_LIMIT]
    )
    csat: list[CsatAnswer] = []
    articles: list[ArticleRead] = []
    seen: set[tuple[str, Any]] = set()
    for event in events:
        meta = event.meta or {}
        if event.event_type == CSAT_ANSWERED:
            key = (CSAT_ANSWERED, meta.get("survey", event.pk))
            rating = meta.get("rating")
            if key in seen or not isinstance(rating, int) or len(csat) >= PANEL_LIST:
                continue
            seen.add(key)
            effort = meta.get("effort")
            csat.append(CsatAnswer(rating, effort if isinstance(effort, int) else None,
                                   event.text, event.occurred_at, event.conversation_id))
        else:
            key = (ARTICLE_VIEWED, meta.get("article_id", event.pk))
            if key in seen or len(articles) >= PANEL_LIST:
                continue
            seen.add(key)
            url = str(meta.get("url") or "")
            articles.append(ArticleRead(str(meta.get("title") or event.text),
                                        url if url.startswith("/") else "", event.occurred_at))
    return csat, articles


def customer_panel(user: Any, customer: Customer) -> CustomerPanel:
    """The customer with identities and consents, their conversations, their CSAT answers
    and help-center reads (four queries)."""
    identities = Prefetch(
        "identities",
        queryset=Identity.objects.order_by("-verified", "kind", "id").prefetch_related(
            Prefetch("consents", queryset=Consent.objects.order_by("channel", "scope"))
        ),
    )
    fresh = Customer.objects.prefetch_related(identities).get(pk=customer.pk)
    conversations = list(
        visible_conversations(user).filter(customer_id=customer.pk)
        .order_by("-last_activity_at", "-id")[:EARLIER_LIMIT]
    )
    csat, articles = customer_extras(user, customer.pk)
    return CustomerPanel(fresh, conversations, csat, articles)


def parse_page(params: Params, size: int) -> PageRequest:
    try:
        return PageRequest.parse(params, default_size=size)
    except InvalidFilter:
        raise
