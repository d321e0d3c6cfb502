"""Mail without a usable sender address (no From, no Sender, or an address that cannot
be an identity) is kept, but each message starts a conversation of its own, tagged
unknown-sender with a line on its timeline; it never joins another conversation, not
even an earlier one without a sender that it names by subject tag or In-Reply-To."""

from __future__ import annotations

import pytest

from channels_email.acknowledge import acknowledge
from channels_email.receive import UNKNOWN_SENDER, UNKNOWN_SENDER_TAG, receive_raw_email
from conversations.models import Conversation, Interaction, InteractionKind

pytestmark = pytest.mark.django_db


def fromless(message_id: str, subject: str = "Help", extra: str = "", body: str = "Hi") -> bytes:
    return (f"To: support@omnidesk.test\r\nSubject: {subject}\r\nMessage-ID: {message_id}\r\n"
            f"{extra}\r\n{body}\r\n").encode()


def assert_flagged(outcome) -> Conversation:
    assert outcome.kept and outcome.result.created and outcome.result.conversation_created
    interaction = outcome.result.interaction
    assert interaction.author_identity.value == UNKNOWN_SENDER
    assert interaction.meta["sender_unknown"] is True
    conversation = Conversation.objects.get(pk=outcome.result.conversation.pk)
    assert conversation.tags == [UNKNOWN_SENDER_TAG]
    event = Interaction.objects.get(conversation=conversation, kind=InteractionKind.EVENT)
    assert event.text == f"omnidesk changed the tags, added {UNKNOWN_SENDER_TAG}"
    assert outcome.reason.endswith(f"; no usable sender address, tagged {UNKNOWN_SENDER_TAG}")
    return conversation


def test_each_message_without_a_sender_starts_its_own_flagged_conversation(email_inbox):
    first = assert_flagged(receive_raw_email(fromless("<a@nowhere.example>")))
    second = assert_flagged(receive_raw_email(fromless("<b@nowhere.example>")))
    assert first.pk != second.pk
    assert first.customer_id == second.customer_id  # one "Unknown sender" record


@pytest.mark.parametrize(
    ("subject", "extra"),
    [
        ("Re: [#{id}] Help", ""),
        ("Help", "In-Reply-To: <a@nowhere.example>\r\n"),
        ("Help", "References: <a@nowhere.example>\r\n"),
        ("Re: Help", ""),  # the same subject as an open conversation
    ],
)
def test_a_message_without_a_sender_joins_no_conversation(email_inbox, subject, extra):
    first = receive_raw_email(fromless("<a@nowhere.example>")).result.conversation
    outcome = receive_raw_email(
        fromless("<b@nowhere.example>", subject.format(id=first.pk), extra, body="Pay me"))
    conversation = assert_flagged(outcome)
    assert conversation.pk != first.pk
    assert not first.interactions.filter(text="Pay me").exists()


def test_an_address_that_cannot_be_an_identity_is_an_unknown_sender(email_inbox):
    raw = (b"From: Someone <not an address>\r\nTo: support@omnidesk.test\r\n"
           b"Subject: Hi\r\nMessage-ID: <c@nowhere.example>\r\n\r\nHello\r\n")
    assert_flagged(receive_raw_email(raw))


def test_a_repeated_delivery_is_recorded_once(email_inbox):
    raw = fromless("<a@nowhere.example>")
    assert_flagged(receive_raw_email(raw))
    again = receive_raw_email(raw)
    assert not again.result.created
    assert Conversation.objects.count() == 1


def test_nobody_is_acknowledged(email_inbox):
    email_inbox.config = {"acknowledgement": {"body": "We got it."}}
    email_inbox.save()
    outcome = receive_raw_email(fromless("<a@nowhere.example>"))
    assert not outcome.acknowledging
    assert acknowledge(outcome.result.interaction.pk) is None
