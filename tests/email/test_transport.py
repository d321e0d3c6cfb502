"""The email transport: From the inbox, To the customer, Cc the participants, Bcc on
request, signature, attachments, threading headers; ESP errors mapped to permanent or
temporary failures."""

from __future__ import annotations

import pytest
from anymail.exceptions import AnymailAPIError
from anymail.message import AnymailRecipientStatus
from django.core import mail
from django.core.files.base import ContentFile

from channels_email.receive import receive_raw_email
from channels_email.transport import EmailTransport
from conversations.actions.delivery import do_claim_for_sending
from conversations.actions.reply import ReplyError, do_send_reply
from conversations.models import Attachment
from conversations.tasks import send_interaction_task
from conversations.transports import TransportError
from tests.email.backends import RespondingBackend
from tests.email.conftest import INBOUND_DOMAIN
from tests.email.helpers import compose, send_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(email_inbox):
    email_inbox.config = {
        "signature": "Omnidesk Support\nhttps://omnidesk.test",
        "from_name": "Acme",
    }
    email_inbox.save()
    first = receive_raw_email(
        compose(
            sender="Dana Reyes <dana.reyes@example.com>",
            subject="Order 1042 is late",
            message_id="<first@example.com>",
            cc="lars.berg@example.com",
        )
    )
    second = receive_raw_email(
        compose(
            sender="dana.reyes@example.com",
            subject="Re: Order 1042 is late",
            message_id="<second@example.com>",
            in_reply_to="<first@example.com>",
            references="<first@example.com>",
        )
    )
    assert second.result.conversation == first.result.conversation
    return first.result.conversation


def test_an_agent_reply_goes_out_with_every_header(conversation, agent_a):
    reply = do_send_reply(
        conversation=conversation,
        author=agent_a,
        text="It ships today.",
        html="<p>It ships <b>today</b>.</p>",
        meta={"bcc": ["audit@omnidesk.test"]},
    )
    Attachment.objects.create(
        interaction=reply,
        name="label.pdf",
        content_type="application/pdf",
        size=9,
        file=ContentFile(b"%PDF-1.4\n", name="label.pdf"),
    )
    sent = send_now(reply)

    [outgoing] = mail.outbox
    message = outgoing.message()
    assert message["From"] == "Acme <support@omnidesk.test>"
    assert message["To"] == "dana.reyes@example.com"
    assert message["Cc"] == "lars.berg@example.com"
    assert outgoing.bcc == ["audit@omnidesk.test"]
    assert message["Reply-To"] == f"reply+{conversation.reply_token}@{INBOUND_DOMAIN}"
    assert message["Subject"] == f"Re: Order 1042 is late [#{conversation.pk}]"
    assert message["Message-ID"] == sent.provider_id
    assert sent.provider_id.startswith(f"<omnidesk.{reply.pk}.")
    assert sent.provider_id.endswith("@omnidesk.test>")
    assert message["X-Omnidesk"] == sent.provider_id[len("<omnidesk.") : -len("@omnidesk.test>")]
    assert message["In-Reply-To"] == "<second@example.com>"
    assert message["References"] == "<first@example.com> <second@example.com>"
    assert outgoing.body == "It ships today.\n\n-- \nOmnidesk Support\nhttps://omnidesk.test"
    assert outgoing.alternatives[0][0] == (
        '<p>It ships <b>today</b>.</p>\n<div class="signature">-- <br>\n'
        "Omnidesk Support<br>\nhttps://omnidesk.test</div>"
    )
    assert outgoing.attachments == [("label.pdf", b"%PDF-1.4\n", "application/pdf")]
    assert outgoing.metadata == {"omnidesk_interaction": str(reply.pk)}
    assert sent.status == "sent"
    assert sent.meta["cc"] == ["lars.berg@example.com"]


def test_a_retried_send_reuses_the_same_message_id(conversation, agent_a):
    reply = do_send_reply(conversation=conversation, author=agent_a, text="Hello")
    claimed = do_claim_for_sending(reply.pk)
    first = EmailTransport().send(claimed)
    second = EmailTransport().send(claimed)
    assert first.provider_id == second.provider_id
    assert mail.outbox[0].message()["Message-ID"] == mail.outbox[1].message()["Message-ID"]


@pytest.mark.parametrize(
    ("response", "permanent"),
    [
        (AnymailAPIError("Service unavailable", status_code=503), False),
        (AnymailAPIError("Too many requests", status_code=429), False),
        (AnymailAPIError("Connection reset by peer"), False),
        (AnymailAPIError("Invalid 'From' address", status_code=422), True),
        (
            {
                "recipient_status": {
                    "dana.reyes@example.com": AnymailRecipientStatus(None, "rejected"),
                    "lars.berg@example.com": AnymailRecipientStatus(None, "rejected"),
                }
            },
            True,
        ),
    ],
)
def test_esp_errors_are_permanent_or_temporary(
    conversation, agent_a, settings, response, permanent
):
    settings.EMAIL_BACKEND = "tests.email.backends.RespondingBackend"
    RespondingBackend.response = response
    try:
        reply = do_send_reply(conversation=conversation, author=agent_a, text="Hello")
        claimed = do_claim_for_sending(reply.pk)
        with pytest.raises(TransportError) as failure:
            EmailTransport().send(claimed)
    finally:
        RespondingBackend.response = None
    assert failure.value.permanent is permanent


def test_a_permanent_failure_marks_the_reply_failed_through_the_task(
    conversation, agent_a, settings
):
    settings.EMAIL_BACKEND = "tests.email.backends.RespondingBackend"
    RespondingBackend.response = AnymailAPIError("Invalid 'To' address", status_code=422)
    try:
        reply = do_send_reply(conversation=conversation, author=agent_a, text="Hello")
        send_interaction_task.apply(args=[reply.pk])
    finally:
        RespondingBackend.response = None
    reply.refresh_from_db()
    assert reply.status == "failed"
    assert reply.error.startswith("Invalid 'To' address")


def test_a_reply_with_an_invalid_cc_is_refused_before_it_is_queued(conversation, agent_a):
    with pytest.raises(ReplyError, match=r"'not-an-address' is not an email address\."):
        do_send_reply(
            conversation=conversation, author=agent_a, text="Hi", meta={"cc": ["not-an-address"]}
        )


def test_a_reply_to_a_participant_keeps_the_customer_in_copy(conversation, agent_a):
    lars = receive_raw_email(
        compose(
            sender="lars.berg@example.com",
            subject="Re: Order 1042 is late",
            message_id="<lars@example.com>",
            in_reply_to="<second@example.com>",
        )
    )
    assert lars.result.conversation == conversation
    send_now(do_send_reply(conversation=conversation, author=agent_a, text="Noted, Lars."))
    message = mail.outbox[-1].message()
    assert message["To"] == "lars.berg@example.com"
    assert message["Cc"] == "dana.reyes@example.com"
    assert message["In-Reply-To"] == "<lars@example.com>"
