"""The optional acknowledgement: once, for a new conversation from a real customer
message; it is no agent response; an out-of-office answer to it gets no second one.
receive_raw_email schedules acknowledge_task; these tests run its body inline (as
send_now does for sends), and test_follow_ups runs it on a real worker."""

from __future__ import annotations

import pytest
from django.core import mail

from channels_email.acknowledge import acknowledge
from channels_email.receive import receive_raw_email
from conversations.models import Conversation, Interaction
from tests.email.helpers import compose, send_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def acknowledging_inbox(email_inbox):
    email_inbox.config = {
        "acknowledgement": {
            "subject": "We received: {subject}",
            "body": "Hello {customer_name},\n\nthanks for writing to {inbox_name}. "
            "Your reference is {conversation_id}.",
        },
        "signature": "The Omnidesk team",
    }
    email_inbox.save()
    return email_inbox


def first_message():
    return compose(
        sender="Dana Reyes <dana.reyes@example.com>",
        subject="Order 1042 is late",
        message_id="<order@example.com>",
    )


def test_a_new_conversation_is_acknowledged_once_and_it_is_no_response(acknowledging_inbox):
    outcome = receive_raw_email(first_message())
    assert outcome.acknowledging
    assert outcome.reason.endswith("; acknowledgement queued")
    ack = acknowledge(outcome.result.interaction.pk)
    conversation = Conversation.objects.get(pk=outcome.result.conversation.pk)

    assert ack.meta == {
        "acknowledgement": True,
        "acknowledges": outcome.result.interaction.pk,
        "automatic": True,
        "to": "dana.reyes@example.com",
    }
    assert ack.status == "queued" and ack.direction == "out" and ack.author_agent is None
    assert ack.subject == "We received: Order 1042 is late"
    assert ack.text == (
        "Hello Dana Reyes,\n\nthanks for writing to Support mail. "
        f"Your reference is {conversation.pk}."
    )
    assert conversation.first_response_at is None
    assert conversation.awaiting_since == outcome.result.interaction.occurred_at

    sent = send_now(ack)
    message = mail.outbox[-1].message()
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["In-Reply-To"] == "<order@example.com>"
    assert message["Subject"] == f"We received: Order 1042 is late [#{conversation.pk}]"
    assert message["Message-ID"] == sent.provider_id
    assert mail.outbox[-1].body.endswith("\n\n-- \nThe Omnidesk team")

    assert acknowledge(outcome.result.interaction.pk) is None  # the task delivered twice
    again = receive_raw_email(first_message())
    assert not again.acknowledging
    assert Interaction.objects.filter(meta__automatic=True).count() == 1


def test_an_out_of_office_answer_to_the_acknowledgement_gets_no_second_one(
    acknowledging_inbox,
):
    outcome = receive_raw_email(first_message())
    ack = send_now(acknowledge(outcome.result.interaction.pk))

    threaded = receive_raw_email(
        compose(
            sender="dana.reyes@example.com",
            subject="Out of Office: We received: Order 1042 is late",
            body="I am out of the office until Monday.",
            message_id="<ooo-1@example.com>",
            in_reply_to=ack.provider_id,
            headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
        )
    )
    unthreaded = receive_raw_email(
        compose(
            sender="dana.reyes@example.com",
            subject="Out of office",
            body="I am out of the office until Monday.",
            message_id="<ooo-2@example.com>",
            headers={"Auto-Submitted": "auto-replied"},
        )
    )

    assert threaded.result.conversation == outcome.result.conversation
    assert threaded.noise == unthreaded.noise == "auto_reply"
    assert not threaded.acknowledging and not unthreaded.acknowledging
    assert Interaction.objects.filter(meta__automatic=True).count() == 1


@pytest.mark.parametrize(
    "sender", ["no-reply@shop.example", "MAILER-DAEMON@mx.example.com", "support@omnidesk.test"]
)
def test_no_acknowledgement_to_machines_or_ourselves(acknowledging_inbox, sender):
    outcome = receive_raw_email(compose(sender=sender, message_id="<m@example.com>"))
    assert outcome.result.conversation_created
    assert not outcome.acknowledging
    assert acknowledge(outcome.result.interaction.pk) is None


def test_no_acknowledgement_without_a_template(email_inbox):
    outcome = receive_raw_email(first_message())
    assert outcome.result.conversation_created and not outcome.acknowledging
    assert acknowledge(outcome.result.interaction.pk) is None


def test_no_acknowledgement_to_a_mailing_list(acknowledging_inbox):
    outcome = receive_raw_email(compose(
        sender="announce@lists.example.org", message_id="<list@example.org>",
        headers={"List-Id": "<announce.lists.example.org>"},
    ))
    assert outcome.result.conversation_created and not outcome.acknowledging


def test_a_template_removed_before_the_task_runs_sends_nothing(acknowledging_inbox):
    outcome = receive_raw_email(first_message())
    acknowledging_inbox.config = {}
    acknowledging_inbox.save()
    assert acknowledge(outcome.result.interaction.pk) is None
    assert not Interaction.objects.filter(meta__automatic=True).exists()
