"""The inbound pipeline's hottest statements, each built by Django once per process
(omnidesk.fastsql) instead of once per event, and nothing else.

- the sender's identity and customer, the customer row locked;
- a conversation locked with the relations the realtime payload names;
- the interaction, `INSERT … ON CONFLICT DO NOTHING RETURNING` (the ORM has no such
  statement for one row: without it a provider's retry is told apart by a savepoint
  around the INSERT, three round trips);
- the conversation's UPDATE;
- for a batch of events recorded together (the spool's drain, a batch of emails): every
  known sender's customer locked in one statement, each one's continued conversation in
  another, and the conversations their thread references name in a third (emails).
  (conversations.actions.prelocked reserves the batch's keys in a fourth, with
  omnidesk.fastsql.reserve_keys_of.)

tests/test_pipeline_hotpath.py checks each against the ORM for identical rows and
instances.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery

from conversations.models import Conversation, ConversationStatus, Interaction
from conversations.payloads import CONVERSATION_SELECT
from customers.models import Customer, Identity
from omnidesk.fastsql import CompiledSelect, insert_row, update_row

# Made-up parameters, each unlike any other of its query (omnidesk.fastsql).
_KIND, _VALUE = "\ue000kind", "\ue000value"
_ID = -7_340_033
_SINCE = datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=UTC)


def locking_conversations(*, with_customer: bool = True) -> QuerySet[Conversation]:
    """Conversations locked as they are read (only their own row), with the customer,
    team, assignee and SLA clock the realtime payload names, so the event costs no further
    query. (The customer is the conversation's, which a participant's message is not
    from.) Without the customer for a customer's own conversations: the caller holds
    that instance already (`_with_customer`)."""
    related = [name for name in CONVERSATION_SELECT if with_customer or name != "customer"]
    return Conversation.objects.select_related(*related).select_for_update(
        no_key=True, of=("self",)
    )


def _identity_locking_customer(kind: str, value: str) -> QuerySet[Identity]:
    return (
        Identity.objects.select_related("customer")
        # Only the customer row: inserting the interaction takes a key-share lock on the
        # identity (its author), which a FOR UPDATE on the identity would deadlock with.
        .select_for_update(no_key=True, of=("customer",))
        .filter(kind=kind, value=value)
    )


def _conversation(conversation_id: int) -> QuerySet[Conversation]:
    return locking_conversations().filter(pk=conversation_id)


def _continued_conversation(customer_id: int, since: datetime) -> QuerySet[Conversation]:
    """The customer's newest unresolved conversation active since `since` (without the
    customer: see lock_continued_conversation)."""
    return (
        locking_conversations(with_customer=False)
        .filter(customer_id=customer_id, last_activity_at__gte=since)
        .exclude(status=ConversationStatus.RESOLVED)
        .order_by("-last_activity_at", "-id")
    )


_SENDER = CompiledSelect(_identity_locking_customer, (_KIND, _VALUE))
_CONVERSATION = CompiledSelect(_conversation, (_ID,))
_CONTINUED = CompiledSelect(_continued_conversation, (_ID, _SINCE))


def lock_known_sender(kind: str, value: str) -> Identity | None:
    """The identity, with its customer locked and loaded; None for a new sender."""
    return _SENDER.first(kind, value)


def lock_conversation(conversation_id: int) -> Conversation | None:
    return _CONVERSATION.first(conversation_id)


def lock_continued_conversation(customer: Customer, since: datetime) -> Conversation | None:
    """The customer's newest unresolved conversation active since `since`, locked, with
    `customer` (the caller's instance, locked) as its customer."""
    return _with_customer(_CONTINUED.first(customer.pk, since), customer)


def _with_customer(conversation: Conversation | None, customer: Customer
                   ) -> Conversation | None:
    if conversation is not None:
        conversation.customer = customer
    return conversation


def lock_known_senders(senders: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Identity]:
    """lock_known_sender of many (kind, value) pairs in one statement, customers locked
    in id order (two batches never wait on each other crosswise); pairs of no identity
    are absent. Identities of one customer share one Customer instance."""
    by_kind: dict[str, set[str]] = {}
    for kind, value in senders:
        by_kind.setdefault(kind, set()).add(value)
    if not by_kind:
        return {}
    match = Q()
    for kind, values in by_kind.items():
        match |= Q(kind=kind, value__in=sorted(values))
    found: dict[tuple[str, str], Identity] = {}
    customers: dict[int, Customer] = {}
    for identity in (
        Identity.objects.select_related("customer")
        .select_for_update(no_key=True, of=("customer",))
        .filter(match)
        .order_by("customer_id", "id")
    ):
        identity.customer = customers.setdefault(identity.customer_id, identity.customer)
        found[(identity.kind, identity.value)] = identity
    return found


def lock_conversations(conversation_ids: Iterable[int]) -> dict[int, Conversation]:
    """lock_conversation of many ids in one statement, locked in id order; ids of no
    conversation are absent."""
    wanted = sorted(set(conversation_ids))
    if not wanted:
        return {}
    return {conversation.pk: conversation
            for conversation in locking_conversations().filter(pk__in=wanted).order_by("id")}


def lock_continued_conversations(
    customers: Collection[Customer], since: datetime
) -> dict[int, Conversation]:
    """lock_continued_conversation of many customers in one statement, locked in customer
    order. A customer whose newest such conversation changed between the look-up and the
    lock (resolved by an agent meanwhile) is absent: ask lock_continued_conversation."""
    if not customers:
        return {}
    by_id = {customer.pk: customer for customer in customers}
    unresolved_since = Q(last_activity_at__gte=since) & ~Q(status=ConversationStatus.RESOLVED)
    # One index probe per customer (conv_customer_activity), whatever the statistics say.
    newest = Customer.objects.filter(pk__in=sorted(by_id)).values(
        newest=Subquery(
            Conversation.objects.filter(unresolved_since, customer_id=OuterRef("pk"))
            .order_by("-last_activity_at", "-id")
            .values("pk")[:1]
        )
    )
    # Its status again outside: a row resolved while this statement waited for its lock
    # is read again, and left out. (last_activity_at only grows.)
    locked = locking_conversations(with_customer=False).filter(pk__in=newest).exclude(
        status=ConversationStatus.RESOLVED
    )
    found: dict[int, Conversation] = {}
    for conversation in locked.order_by("customer_id"):
        conversation.customer = by_id[conversation.customer_id]
        found[conversation.customer_id] = conversation
    return found


def insert_interaction_unless_recorded(interaction: Interaction) -> bool:
    """INSERT the unsaved `interaction` in one round trip. False, and nothing written,
    when its (inbox, provider_id) is already recorded: a provider's retry.

    An interaction with a reserved id, inside omnidesk.fastsql.pipelined(): sent without
    waiting; a retry raises fastsql.Conflict when the block ends."""
    # The arbiter is interaction_unique_provider_id (partial: provider ids given).
    return insert_row(
        interaction, on_conflict="(inbox_id, provider_id) WHERE provider_id IS NOT NULL",
        deferred=interaction.pk is not None,
    )


def known_to_have_no_dependents(conversation: Conversation) -> None:
    """A conversation created by this transaction: the one-to-one rows that hang off it
    (the SLA clock) are known not to exist yet, as `select_related` would have found,
    so reading them costs no query."""
    for name in CONVERSATION_SELECT:
        field = Conversation._meta.get_field(name)
        if field.one_to_one and field.auto_created:  # a reverse one-to-one
            field.set_cached_value(conversation, None)  # type: ignore[union-attr]


def save_conversation(conversation: Conversation) -> None:
    """`conversation.save()`: an INSERT when new, else the UPDATE of every column."""
    if conversation._state.adding:
        insert_row(conversation)
    else:
        update_row(conversation)
