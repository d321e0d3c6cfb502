"""The one inbound pipeline: every channel's normalized event is recorded here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from conversations import hooks
from conversations.actions.prelocked import NOT_LOCKED, NotLocked, Prelocked, delete_files
from conversations.actions.timeline import CHANNEL_SWITCHED, STATUS_CHANGED, record_event
from conversations.hotpath import (
    insert_interaction_unless_recorded,
    known_to_have_no_dependents,
    lock_continued_conversation,
    lock_conversation,
    lock_known_sender,
    save_conversation,
)
from conversations.inbound import InboundEvent, IngestResult
from conversations.models import (
    Attachment,
    Conversation,
    ConversationStatus,
    Direction,
    Interaction,
)
from conversations.notify import conversation_event, interaction_event, notify
from conversations.preview import apply_preview, preview_text
from conversations.sanitize import sanitize_html
from conversations.storable import storable_dataclass
from customers.actions.identify import do_get_or_create_identity
from customers.identities import normalize_identity
from customers.models import Customer, Identity
from omnidesk.fastsql import Conflict, pipelined, statements_waited_for


class _Duplicate(Exception):
    """The provider id is already recorded for this inbox: roll back, return the original."""


class RecordedBefore(Exception):
    """Raised instead of returning the original when events are recorded together: the
    shared transaction cannot roll back one event, so the caller records them one by one
    (see recording_together)."""


_together: ContextVar[Prelocked | None] = ContextVar("recording_together", default=None)


@contextmanager
def recording_together(
    senders: Iterable[tuple[str, str]] = (), conversation_ids: Iterable[int] = ()
) -> Iterator[None]:
    """Events recorded in this block share the caller's transaction, without a savepoint
    each (two round trips fewer per event). A retry of a recorded event raises
    RecordedBefore (at once, or when the block ends), and any error leaves the whole
    transaction to be rolled back: the caller (spool.drain) then records the same events
    one at a time.

    `senders` are the (kind, value) of the events to come, one per event: their customers,
    and those customers' continued conversations, are locked now in two statements for
    all of them (conversations.actions.prelocked), in a transaction the caller holds, and
    an interaction id is reserved for each; so are the conversations of
    `conversation_ids` (those the events' thread references name), in a third. A batch
    rolled back deletes the files its events stored. The block is pipelined (omnidesk.fastsql):
    an interaction's INSERT and a conversation's UPDATE wait for no answer of their own."""
    batch = None
    try:
        with pipelined():
            batch = Prelocked.lock(senders, conversation_ids)
            token = _together.set(batch)
            try:
                yield
            finally:
                _together.reset(token)
    except BaseException as exc:
        if batch is not None:  # its rows are rolled back: so are the files they named
            delete_files(batch.stored_files)
        if isinstance(exc, Conflict):  # an INSERT, sent without waiting, wrote nothing
            raise RecordedBefore(getattr(exc.instance, "provider_id", None)) from exc
        raise


def do_record_inbound(
    event: InboundEvent, *, then: Callable[[IngestResult], None] | None = None
) -> IngestResult:
    """Record one inbound event in one transaction; a provider's retry records nothing.

    `then`, when given, runs inside that transaction once the event is recorded: a
    channel's own work that must commit with it (email's follow-up jobs), without an
    outer transaction around this one (whose savepoint would cost two round trips).

    Raises customers.identities.InvalidIdentity when the sender cannot be named.
    """
    event = storable_dataclass(event)
    sender_value = normalize_identity(event.sender_kind, event.sender_value)
    batch = _together.get()
    if batch is not None:
        with transaction.atomic(savepoint=False):
            try:
                result = _record(event, sender_value, batch, batch.stored_files)
            except _Duplicate:
                raise RecordedBefore(event.provider_id) from None
            if then is not None:
                then(result)
            batch.settle(statements_waited_for())
            return result
    stored: list[FieldFile] = []
    try:
        with transaction.atomic():
            result = _record(event, sender_value, None, stored)
            if then is not None:
                then(result)
            return result
    except _Duplicate:
        delete_files(stored)
        original = Interaction.objects.select_related("conversation").get(
            inbox=event.inbox, provider_id=event.provider_id
        )
        return IngestResult(original, original.conversation, created=False)
    except BaseException:
        delete_files(stored)  # the rows naming them were rolled back
        raise


def _record(
    event: InboundEvent, sender_value: str, batch: Prelocked | None, stored: list[FieldFile]
) -> IngestResult:
    """`stored`: the files the event stores are added to it, for the caller to delete if
    its transaction is rolled back."""
    identity, customer, new_customer = _lock_sender(event, sender_value, batch)
    # Taken whether this event continues it or not: the next event reads it again, unless
    # this one hands it on (below).
    prelocked = batch.take_conversation(customer.pk) if batch is not None else NOT_LOCKED
    if not customer.name and event.sender_name:
        customer.name = event.sender_name[:200]
        customer.save(update_fields=["name", "updated_at"])
    occurred_at = event.occurred_at or timezone.now()

    conversation, continued = _find_conversation(
        event, customer, sender_value, occurred_at, new_customer, prelocked, batch
    )
    created = conversation is None
    if conversation is not None and conversation.customer_id == customer.pk:
        # The locked instance, as this event (or an earlier one of its batch) left it.
        conversation.customer = customer
    preview = preview_text(
        kind=event.kind, direction=Direction.INBOUND, text=event.text, html=event.html,
        subject=event.subject, attachments=len(event.attachments),
    )
    if conversation is None:
        conversation = Conversation(
            customer=customer,
            team=event.inbox.team,  # read once per inbox object, for the payload
            subject=event.subject[:500],
            last_activity_at=occurred_at,
        )
        known_to_have_no_dependents(conversation)
        switched, reopened = _apply_to_conversation(
            conversation, event, occurred_at, created=True
        )
        apply_preview(conversation, preview, occurred_at)
        save_conversation(conversation)  # one INSERT, already in its final state
        interaction = _insert_interaction(event, conversation, identity, occurred_at, batch,
                                          stored)
    else:
        interaction = _insert_interaction(event, conversation, identity, occurred_at, batch,
                                          stored)
        switched, reopened = _apply_to_conversation(
            conversation, event, occurred_at, created=False
        )
        apply_preview(conversation, preview, occurred_at)
        save_conversation(conversation)
    if batch is not None:
        batch.recorded_into(conversation)
    waited = statements_waited_for()
    attachments = _store_attachments(interaction, event, stored) if event.attachments else []
    hooks.run_after_change(conversation)

    notify(
        interaction_event(interaction, attachments=attachments),
        conversation_event(conversation, created=created),
    )
    hooks.run_after_inbound(
        hooks.RecordedInbound(conversation, interaction, created, switched, reopened)
    )
    if batch is not None:
        # Handed on to the batch's next events once the channel's own work (`then`) is
        # done too, if nothing but its own writes touched the row (Prelocked.settle).
        batch.offer(conversation, waited, customer.pk if continued else None)
    return IngestResult(interaction, conversation, created=True, conversation_created=created)


def _lock_sender(
    event: InboundEvent, sender_value: str, batch: Prelocked | None
) -> tuple[Identity, Customer, bool]:
    """The sender's identity and customer, the customer row locked: one inbound at a time
    per customer, so two racing first messages agree on which conversation is "the open
    one". A known sender costs one query, none when the batch holds it. The flag says
    the customer is new (created by this transaction)."""
    held = batch.sender(event.sender_kind, sender_value) if batch is not None else NOT_LOCKED
    identity = lock_known_sender(event.sender_kind, sender_value) if held is NOT_LOCKED else held
    if identity is not None:
        return identity, identity.customer, False
    identity, created = do_get_or_create_identity(
        event.sender_kind,
        sender_value,
        name=event.sender_name,
        verified=event.sender_verified,
        probably_new=True,
        keys=batch.take_new_sender_keys() if batch is not None else None,
    )
    if not created:  # created meanwhile by someone else: lock their customer
        identity.customer = Customer.objects.select_for_update(no_key=True).get(
            pk=identity.customer_id
        )
    if batch is not None:
        batch.identified(identity)  # the sender's next events in the batch are known
    return identity, identity.customer, created  # created: nobody else can hold it


def _find_conversation(
    event: InboundEvent,
    customer: Customer,
    sender_value: str,
    occurred_at: datetime,
    new_customer: bool,
    prelocked: Conversation | NotLocked,
    batch: Prelocked | None,
) -> tuple[Conversation | None, bool]:
    """The conversation the event joins (None: a new one), and whether it is the
    customer's continued one (their newest unresolved, active in the window)."""
    if event.conversation_hint is not None:
        hinted = _lock_conversation(event.conversation_hint, batch)
        if hinted is not None and _may_join(hinted, customer, sender_value):
            return hinted, False
    if event.thread_refs:
        threaded = _conversation_by_thread(
            event.thread_refs, event.thread_ref_conversations, customer, sender_value, batch
        )
        if threaded is not None:
            return threaded, False
    if event.use_continuity and not new_customer:  # a new customer has no conversations
        window_start = occurred_at - timedelta(days=settings.OMNIDESK_CONTINUITY_DAYS)
        if prelocked is NOT_LOCKED:
            continued = lock_continued_conversation(customer, window_start)
        else:
            # The customer's newest unresolved conversation: if it is not in this event's
            # window, none is.
            continued = prelocked if prelocked.last_activity_at >= window_start else None
        return continued, continued is not None
    return None, False


def _may_join(conversation: Conversation, customer: Customer, sender_value: str) -> bool:
    """A thread match never glues a stranger's message onto someone else's conversation."""
    return conversation.customer_id == customer.pk or sender_value in conversation.participants


def _conversation_by_thread(
    refs: list[str],
    known: dict[str, int] | None,
    customer: Customer,
    sender_value: str,
    batch: Prelocked | None,
) -> Conversation | None:
    """The first of `refs` recorded in a conversation the sender may join (the newest
    interaction wins when an id was recorded twice, in two inboxes)."""
    by_ref = known if known is not None else dict(
        Interaction.objects.filter(provider_id__in=refs[:100])
        .order_by("id")
        .values_list("provider_id", "conversation_id")
    )
    for ref in refs:
        conversation_id = by_ref.get(ref)
        if conversation_id is None:
            continue
        conversation = _lock_conversation(conversation_id, batch)
        if conversation is not None and _may_join(conversation, customer, sender_value):
            return conversation
    return None


def _lock_conversation(conversation_id: int, batch: Prelocked | None) -> Conversation | None:
    """The conversation, locked: the batch's copy when it holds one, else read now."""
    held = batch.take_named(conversation_id) if batch is not None else NOT_LOCKED
    return lock_conversation(conversation_id) if held is NOT_LOCKED else held


def _insert_interaction(
    event: InboundEvent,
    conversation: Conversation,
    identity: Identity,
    occurred_at: datetime,
    batch: Prelocked | None,
    stored: list[FieldFile],
) -> Interaction:
    interaction = Interaction(
        conversation=conversation,
        customer_id=conversation.customer_id,
        inbox=event.inbox,
        channel=event.channel,
        direction=Direction.INBOUND,
        kind=event.kind,
        author_identity=identity,
        text=event.text,
        html=sanitize_html(event.html),
        subject=event.subject[:500],
        provider_id=event.provider_id or None,
        status=event.status,
        meta=event.meta,
        raw=event.raw,
        occurred_at=occurred_at,
    )
    if event.raw_bytes is not None:
        # Stored first, so the INSERT carries its name (no UPDATE after it).
        interaction.raw_file.save(event.raw_filename, ContentFile(event.raw_bytes), save=False)
        stored.append(interaction.raw_file)
    if batch is not None:
        # A reserved id: the INSERT waits for no answer. A retry conflicts at the end of
        # the batch, which is rolled back with the files it stored and recorded one by one.
        interaction.pk = batch.take_interaction_id()
    # One statement: a provider's retry conflicts on (inbox, provider_id) and writes nothing.
    if not insert_interaction_unless_recorded(interaction):
        raise _Duplicate  # the caller deletes the file stored for it
    return interaction


def _store_attachments(
    interaction: Interaction, event: InboundEvent, stored_files: list[FieldFile]
) -> list[Attachment]:
    stored = []
    for item in event.attachments:
        attachment = Attachment(
            interaction=interaction,
            name=(item.name or "attachment")[:255],
            content_type=item.content_type[:255],
            content_id=item.content_id[:255],
            size=item.size if item.size is not None else len(item.content or b""),
            note=item.note[:255],
        )
        if item.content is not None:
            attachment.file.save(attachment.name, ContentFile(item.content), save=False)
            stored_files.append(attachment.file)
        attachment.save()
        stored.append(attachment)
    return stored


def _apply_to_conversation(
    conversation: Conversation, event: InboundEvent, at: datetime, *, created: bool
) -> tuple[bool, bool]:
    """Bring the conversation up to date with the inbound event (the caller saves it).
    Says whether the customer switched channels with it, and whether it reopened the
    conversation."""
    switched = reopened = False
    if event.channel not in conversation.channels:
        conversation.channels = [*conversation.channels, event.channel]
    conversation.last_activity_at = max(conversation.last_activity_at, at)
    if not conversation.subject and event.subject:
        conversation.subject = event.subject[:500]
    for participant in event.participants:
        if participant not in conversation.participants:
            conversation.participants = [*conversation.participants, participant]
    if event.counts_as_customer_message:
        previous_channel = conversation.last_inbound_channel
        if not created and previous_channel and previous_channel != event.channel:
            switched = True
            record_event(
                conversation,
                CHANNEL_SWITCHED,
                f"Customer switched from {previous_channel} to {event.channel}",
                meta={"from": previous_channel, "to": event.channel},
                at=at,
            )
        conversation.last_inbound_channel = event.channel
        conversation.last_inbound_inbox = event.inbox
        conversation.first_inbound_at = conversation.first_inbound_at or at
        conversation.last_inbound_at = max(conversation.last_inbound_at or at, at)
        if conversation.awaiting_since is None:
            conversation.awaiting_since = at
            conversation.awaiting_channel = event.channel
        if conversation.status != ConversationStatus.OPEN:
            record_event(
                conversation,
                STATUS_CHANGED,
                f"Reopened by the customer's {event.channel} message",
                meta={"from": conversation.status, "to": ConversationStatus.OPEN},
                at=at,
            )
            conversation.status = ConversationStatus.OPEN
            conversation.snoozed_until = None
            conversation.resolved_at = None
            reopened = True
    return switched, reopened
