"""What a batch of events recorded together (ingest.recording_together) locks before its
first event: each sender's identity with its customer, each of those customers'
continued conversation, and the conversations the events' thread references name (an
email batch's). Three statements for the batch, instead of two per event; a fourth
reserves an interaction id per event, and a customer and an identity id per sender
without an identity, so that inserting them needs no answer.

A sender's identity and customer serve every event of theirs in the batch: the pipeline
changes a customer only through that instance (its name). A conversation is handed out
once: the first event of its customer (or the first that names it) takes it. A later
one reads it again, as a single
event would, since hooks may have changed the row meanwhile through another instance
(csat resolves a conversation that a rating reply opened), unless the event before it
handed its conversation on (`offer`, `settle`): nothing after its save but that
instance's own writes touched the database. A conversation that an event recorded
into is forgotten at once too (a participant's message may join another customer's
conversation), so no event is handed a copy older than its row.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from conversations.hotpath import (
    lock_continued_conversations,
    lock_conversations,
    lock_known_senders,
)
from conversations.models import Conversation, Interaction
from customers.identities import InvalidIdentity, normalize_identity
from customers.models import Customer, Identity
from omnidesk.fastsql import reserve_keys_of

logger = logging.getLogger(__name__)


class NotLocked(Enum):
    """The batch holds nothing for this sender or customer: look it up."""

    NOT_LOCKED = "not locked"


NOT_LOCKED = NotLocked.NOT_LOCKED


@dataclass
class Prelocked:
    # (kind, normalized value) -> the identity, its customer locked; None: no identity
    # when the batch began (the first event of theirs creates it, and names it here).
    senders: dict[tuple[str, str], Identity | None] = field(default_factory=dict)
    # customer id -> their newest unresolved conversation active in the window, locked.
    conversations: dict[int, Conversation] = field(default_factory=dict)
    # conversation id -> the conversation, locked: those the events' thread references
    # named when the batch began (an email batch's), handed out like the above.
    named: dict[int, Conversation] = field(default_factory=dict)
    # Interaction ids reserved for the batch's events; the next one to take is last.
    interaction_ids: list[int] = field(default_factory=list)
    # (customer, identity) keys reserved for its senders without an identity, likewise.
    new_sender_keys: list[tuple[int, int]] = field(default_factory=list)
    # Files the batch's events stored (raw messages, attachments): a batch rolled back
    # deletes them (ingest.recording_together), as its rows are gone.
    stored_files: list[FieldFile] = field(default_factory=list)
    # The last event's conversation, to hand on if it is still current (offer, settle).
    offered: tuple[Conversation, int | None, int | None] | None = None

    @classmethod
    def lock(
        cls, senders: Iterable[tuple[str, str]], conversation_ids: Iterable[int] = ()
    ) -> Prelocked:
        """`senders`: each event's (kind, value), one per event; `conversation_ids`: the
        conversations the events name (their thread references')."""
        senders = list(senders)
        wanted = set()
        for kind, value in senders:
            try:
                wanted.add((kind, normalize_identity(kind, value)))
            except InvalidIdentity:
                continue  # its event fails on its own, in the pipeline
        if not wanted:
            return cls(named=lock_conversations(conversation_ids))
        known = lock_known_senders(wanted)
        new = len(wanted) - len(known)
        keys = reserve_keys_of({Interaction: len(senders), Customer: new, Identity: new})
        # An event's continued conversation is its customer's newest unresolved one, if
        # that one is active within the event's window (ingest checks it per event).
        since = timezone.now() - timedelta(days=settings.OMNIDESK_CONTINUITY_DAYS)
        customers = {identity.customer_id: identity.customer for identity in known.values()}
        return cls(
            senders=dict.fromkeys(wanted, None) | known,
            conversations=lock_continued_conversations(customers.values(), since),
            named=lock_conversations(conversation_ids),
            interaction_ids=keys[Interaction][::-1],  # taken from the end
            new_sender_keys=list(zip(keys[Customer], keys[Identity], strict=True))[::-1],
        )

    def take_new_sender_keys(self) -> tuple[int, int] | None:
        """Reserved (customer, identity) keys for a sender new to the batch; None when
        all are taken."""
        return self.new_sender_keys.pop() if self.new_sender_keys else None

    def take_interaction_id(self) -> int | None:
        """A reserved id for the next event's interaction; None when all are taken."""
        return self.interaction_ids.pop() if self.interaction_ids else None

    def sender(self, kind: str, value: str) -> Identity | NotLocked | None:
        return self.senders.get((kind, value), NOT_LOCKED)

    def take_conversation(self, customer_id: int) -> Conversation | NotLocked:
        return self.conversations.pop(customer_id, NOT_LOCKED)

    def take_named(self, conversation_id: int) -> Conversation | NotLocked:
        return self.named.pop(conversation_id, NOT_LOCKED)

    def identified(self, identity: Identity) -> None:
        """The sender's identity, created or found by an event of the batch."""
        self.senders[(identity.kind, identity.value)] = identity

    def offer(self, conversation: Conversation, waited: int | None,
              continued_by: int | None) -> None:
        """The conversation an event recorded into, saved when `waited` statements had
        been waited for (fastsql.statements_waited_for); `continued_by`: the customer
        whose continued conversation it is (None: the event did not continue one)."""
        self.offered = (conversation, waited, continued_by) if waited is not None else None

    def settle(self, waited: int | None) -> None:
        """Once the event is done: if no statement was waited for since its save, only
        that instance's own writes (sent without waiting) touched the row, so it is
        current. It is handed on to the events that name it, and, if it was continued,
        to the customer's next event (still their newest unresolved conversation: its
        activity only grew). Those then need no read."""
        offered, self.offered = self.offered, None
        if offered is None or offered[1] != waited:
            return
        conversation, _waited, customer_id = offered
        self.named[conversation.pk] = conversation
        if customer_id is not None:
            self.conversations[customer_id] = conversation

    def recorded_into(self, conversation: Conversation) -> None:
        for customer_id, held in list(self.conversations.items()):
            if held.pk == conversation.pk:
                del self.conversations[customer_id]
        self.named.pop(conversation.pk, None)


def delete_files(files: list[FieldFile]) -> None:
    """The files of rows rolled back, and empties the list. Best effort: a file left
    behind is only disk space, never a wrong record."""
    for file in files:
        try:
            file.delete(save=False)
        except OSError:
            logger.warning("could not delete %s of rows rolled back", file.name, exc_info=True)
    files.clear()
