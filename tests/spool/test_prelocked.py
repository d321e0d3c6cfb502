"""A batch recorded together (the spool's drain) locks its senders and their continued
conversations up front, two statements for the batch, and still records what one event
at a time would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversations import hooks
from conversations.actions.ingest import do_record_inbound, recording_together
from conversations.models import Conversation, ConversationStatus, Interaction
from customers.models import Identity
from realtime.publish import publishing_together
from spool.accept import lane_of
from spool.drain import drain_lanes
from tests.factories import inbound
from tests.spool.test_spool import _accept, _message

pytestmark = pytest.mark.django_db

SENDERS = [f"+1415555{n:04d}" for n in range(1, 6)]


def _selects_of(captured: CaptureQueriesContext, table: str) -> int:
    return sum(1 for q in captured.captured_queries
               if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"])


def test_a_batch_of_known_senders_locks_them_and_their_conversations_in_two_statements(
    twilio_inbox,
):
    for n, sender in enumerate(SENDERS):
        _accept(twilio_inbox, _message(n, sender))
    drain_lanes([lane_of(s) for s in SENDERS], batch=100)  # every sender known now
    for n, sender in enumerate(SENDERS):
        _accept(twilio_inbox, _message(100 + n, sender))
        _accept(twilio_inbox, _message(200 + n, sender))

    senders = [("phone", sender) for sender in SENDERS]
    # One batch for every sender (the drain would take a batch per lane here).
    with CaptureQueriesContext(connection) as captured, transaction.atomic(), \
            recording_together(senders):
        for n, sender in enumerate(SENDERS):
            for step in (100, 200):
                do_record_inbound(inbound(twilio_inbox, "sms", "phone", sender,
                                          f"message {step + n}", provider_id=f"SM{step + n}"))

    # The senders in one statement (each served all its events); the conversations in
    # one, each taken by its customer's first event and read again for the second.
    assert _selects_of(captured, "customers_identity") == 1
    assert _selects_of(captured, "conversations_conversation") == 1 + len(SENDERS)
    assert Conversation.objects.count() == len(SENDERS)
    for sender in SENDERS:
        conversation = Conversation.objects.get(customer__identities__value=sender)
        texts = list(conversation.interactions.order_by("id").values_list("text", flat=True))
        assert texts[-2:] == [f"message {100 + SENDERS.index(sender)}",
                              f"message {200 + SENDERS.index(sender)}"]
        assert conversation.last_message_preview == f"message {200 + SENDERS.index(sender)}"


def test_new_senders_cost_no_lookup_and_their_second_event_joins_the_first(twilio_inbox):
    with CaptureQueriesContext(connection) as captured, transaction.atomic(), \
            recording_together([("phone", SENDERS[0])]):
        first = do_record_inbound(inbound(twilio_inbox, "sms", "phone", SENDERS[0],
                                          "hello", provider_id="SM1"))
        second = do_record_inbound(inbound(twilio_inbox, "sms", "phone", SENDERS[0],
                                           "again", provider_id="SM2"))

    assert first.conversation_created and not second.conversation_created
    assert second.conversation.pk == first.conversation.pk
    assert Identity.objects.filter(value=SENDERS[0]).count() == 1
    assert _selects_of(captured, "customers_identity") == 1  # the batch's, finding none


def test_a_conversation_another_event_of_the_batch_changed_is_read_again(
    email_inbox, twilio_inbox
):
    """A participant's email joins the customer's conversation first; the customer's own
    SMS after it, in the same batch, must not write the copy locked before it back."""
    customer = do_record_inbound(inbound(email_inbox, "email", "email", "ann@example.com",
                                         "first", provider_id="<1@x>"))
    conversation = customer.conversation
    do_record_inbound(inbound(twilio_inbox, "sms", "phone", SENDERS[0], "my number",
                              provider_id="SM0", conversation_hint=conversation.pk))
    Identity.objects.filter(value=SENDERS[0]).update(customer=conversation.customer)
    Conversation.objects.filter(pk=conversation.pk).update(participants=["bob@example.com"])

    with transaction.atomic(), recording_together(
        [("email", "bob@example.com"), ("phone", SENDERS[0])]
    ):
        joined = do_record_inbound(inbound(email_inbox, "email", "email", "bob@example.com",
                                           "from the participant", provider_id="<2@x>",
                                           conversation_hint=conversation.pk,
                                           participants=["carol@example.com"]))
        own = do_record_inbound(inbound(twilio_inbox, "sms", "phone", SENDERS[0],
                                        "from the customer", provider_id="SM1"))

    assert joined.conversation.pk == own.conversation.pk == conversation.pk
    conversation.refresh_from_db()
    assert conversation.last_inbound_channel == "sms"
    # The participant's event changed the row after the batch locked it: both kept.
    messages = conversation.interactions.filter(author_identity__isnull=False).order_by("id")
    assert list(messages.values_list("text", flat=True))[-2:] == [
        "from the participant", "from the customer"]
    assert conversation.participants == ["bob@example.com", "carol@example.com"]
    assert sorted(conversation.channels) == ["email", "sms"]


def test_an_event_outside_its_window_starts_a_conversation_of_its_own(twilio_inbox):
    old = do_record_inbound(inbound(twilio_inbox, "sms", "phone", SENDERS[0], "long ago",
                                    provider_id="SM1"))
    Conversation.objects.filter(pk=old.conversation.pk).update(
        last_activity_at=timezone.now() - timedelta(days=3)
    )
    later = timezone.now() + timedelta(days=30)  # the provider's clock, far ahead

    with transaction.atomic(), recording_together([("phone", SENDERS[0])]):
        result = do_record_inbound(inbound(twilio_inbox, "sms", "phone", SENDERS[0], "now",
                                           provider_id="SM2", occurred_at=later))

    assert result.conversation_created
    assert Interaction.objects.get(provider_id="SM2").conversation_id != old.conversation.pk


def test_a_conversation_resolved_before_the_batch_is_not_continued(twilio_inbox):
    old = do_record_inbound(inbound(twilio_inbox, "sms", "phone", SENDERS[0], "first",
                                    provider_id="SM1"))
    Conversation.objects.filter(pk=old.conversation.pk).update(
        status=ConversationStatus.RESOLVED
    )

    with transaction.atomic(), recording_together([("phone", SENDERS[0])]):
        result = do_record_inbound(inbound(twilio_inbox, "sms", "phone", SENDERS[0],
                                           "second", provider_id="SM2"))

    assert result.conversation_created


@pytest.mark.django_db(transaction=True)  # configuration committed, so cached as in a drain
def test_a_batch_of_known_senders_waits_for_no_answer_per_event(twilio_inbox, pipeline_syncs):
    """Each event's interaction INSERT and conversation UPDATE travel with the batch's
    next read: as many round trips for five senders' events as for one's (as the drain
    records them, with the realtime rows written together)."""
    for n, sender in enumerate(SENDERS):
        do_record_inbound(inbound(twilio_inbox, "sms", "phone", sender, "first",
                                  provider_id=f"SM{n}"))

    def batch_of(senders: list[str], step: int) -> int:
        before = pipeline_syncs[0]
        with transaction.atomic(), recording_together([("phone", s) for s in senders]), \
                publishing_together():
            for n, sender in enumerate(senders):
                do_record_inbound(inbound(twilio_inbox, "sms", "phone", sender, "again",
                                          provider_id=f"SM{step + n}"))
        return pipeline_syncs[0] - before

    assert batch_of(SENDERS[:1], 100) == batch_of(SENDERS, 200)
    assert Interaction.objects.filter(text="again").count() == 1 + len(SENDERS)
    assert sorted(Interaction.objects.filter(text="again").values_list("id", flat=True)) == list(
        Interaction.objects.filter(text="again").order_by("occurred_at", "id")
        .values_list("id", flat=True))


def _two_each(twilio_inbox, step: int) -> CaptureQueriesContext:
    """Every sender's two events in one batch, as the drain records them."""
    with CaptureQueriesContext(connection) as captured, transaction.atomic(), \
            recording_together([("phone", s) for s in SENDERS for _ in (1, 2)]), \
            publishing_together():
        for n, sender in enumerate(SENDERS):
            for again in (0, 1):
                do_record_inbound(inbound(twilio_inbox, "sms", "phone", sender,
                                          f"message {step + 10 * again + n}",
                                          provider_id=f"SM{step + 10 * again + n}"))
    return captured


@pytest.mark.django_db(transaction=True)  # configuration committed, so cached as in a drain
def test_a_customers_next_event_takes_the_conversation_their_last_one_continued(twilio_inbox):
    for n, sender in enumerate(SENDERS):
        do_record_inbound(inbound(twilio_inbox, "sms", "phone", sender, "first",
                                  provider_id=f"SM{n}"))

    captured = _two_each(twilio_inbox, 100)

    assert _selects_of(captured, "conversations_conversation") == 1  # the batch's only
    for n, sender in enumerate(SENDERS):
        conversation = Conversation.objects.get(customer__identities__value=sender)
        texts = list(conversation.interactions.order_by("id").values_list("text", flat=True))
        assert texts == ["first", f"message {100 + n}", f"message {110 + n}"]
        assert conversation.last_message_preview == f"message {110 + n}"


@pytest.mark.django_db(transaction=True)
def test_after_a_hook_that_waited_for_a_statement_the_next_event_reads_again(twilio_inbox):
    """A hook that reads or writes through the ORM may have changed the row through
    another instance: the customer's next event reads the conversation again."""
    for n, sender in enumerate(SENDERS):
        do_record_inbound(inbound(twilio_inbox, "sms", "phone", sender, "first",
                                  provider_id=f"SM{n}"))

    def touch(recorded: hooks.RecordedInbound) -> None:
        if recorded.interaction.text.startswith("message 10"):  # each sender's first
            Conversation.objects.filter(pk=recorded.conversation.pk).update(
                subject=f"touched by {recorded.interaction.text}")

    hooks.after_inbound.append(touch)
    try:
        captured = _two_each(twilio_inbox, 100)
    finally:
        hooks.after_inbound.remove(touch)

    assert _selects_of(captured, "conversations_conversation") == 1 + len(SENDERS)
    for n, sender in enumerate(SENDERS):
        conversation = Conversation.objects.get(customer__identities__value=sender)
        # The second event read the change, so did not write the older subject back.
        assert conversation.subject == f"touched by message {100 + n}"
