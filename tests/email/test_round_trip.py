"""Round trip through the real worker: an agent's reply goes out through anymail with
the threading headers, and the customer's answer to that very message, composed as
a mail client composes it, lands in the same conversation."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from django.core import mail

from channels_email.receive import receive_raw_email
from conversations.actions.reply import do_send_reply
from conversations.models import Interaction
from tests.email.conftest import INBOUND_DOMAIN
from tests.email.helpers import compose
from tests.waiting import wait_for

pytestmark = pytest.mark.slow


def client_reply(sent: EmailMessage, body: str) -> bytes:
    """What Gmail sends when Dana presses Reply on `sent`."""
    reply = EmailMessage()
    reply["From"] = "Dana Reyes <dana.reyes@example.com>"
    reply["To"] = sent["Reply-To"] or sent["From"]
    subject = str(sent["Subject"])
    reply["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    reply["Message-ID"] = "<CAKx7Fq-answer@mail.gmail.com>"
    reply["In-Reply-To"] = sent["Message-ID"]
    reply["References"] = f"{sent['References'] or ''} {sent['Message-ID']}".strip()
    quoted = "\n".join(f"> {line}" for line in sent.get_content().splitlines())
    reply.set_content(
        f"{body}\n\nOn Tue, Jan 7, 2025 at 10:00 AM {sent['From']} wrote:\n\n{quoted}\n"
    )
    return reply.as_bytes()


def sent_message(index: int) -> EmailMessage:
    raw = mail.outbox[index].message().as_bytes()
    return message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


def _round_trip(conversation, send) -> None:
    reply = send()
    sent = wait_for(lambda: Interaction.objects.filter(pk=reply.pk, status="sent").first())
    message = sent_message(-1)
    assert message["Message-ID"] == sent.provider_id
    assert message["In-Reply-To"] == "<order-1042@example.com>"
    assert message["References"] == "<order-1042@example.com>"
    assert message["Reply-To"] == f"reply+{conversation.reply_token}@{INBOUND_DOMAIN}"
    assert message["Subject"] == f"Re: Order 1042 is late [#{conversation.pk}]"
    assert message["To"] == "dana.reyes@example.com"
    assert message.get_content() == "It left the warehouse today."

    answer = receive_raw_email(client_reply(message, "Great, thank you!"))

    assert answer.result.conversation == conversation
    assert answer.result.interaction.text == "Great, thank you!"
    assert answer.result.interaction.meta["full_text"].startswith("Great, thank you!\n\nOn Tue")
    assert answer.reason.startswith(f"joined conversation #{conversation.pk} by reply address")


@pytest.fixture
def conversation(email_inbox, celery_worker):
    first = receive_raw_email(
        compose(
            sender="Dana Reyes <dana.reyes@example.com>",
            subject="Order 1042 is late",
            body="Where is it?",
            message_id="<order-1042@example.com>",
        )
    )
    return first.result.conversation


def test_round_trip_through_the_api(conversation, agent_a, client_for):
    def send() -> Interaction:
        response = client_for(agent_a).post(
            f"/api/v1/conversations/{conversation.pk}/replies/",
            {"text": "It left the warehouse today."},
            format="json",
        )
        assert response.status_code == 201, response.content
        return Interaction.objects.get(pk=response.json()["id"])

    _round_trip(conversation, send)


def test_round_trip_through_the_reply_action(conversation, agent_a):
    _round_trip(
        conversation,
        lambda: do_send_reply(
            conversation=conversation, author=agent_a, text="It left the warehouse today."
        ),
    )


def test_a_reply_threaded_by_headers_alone_lands_in_the_same_conversation(conversation, agent_a):
    reply = do_send_reply(
        conversation=conversation, author=agent_a, text="It left the warehouse today."
    )
    wait_for(lambda: Interaction.objects.filter(pk=reply.pk, status="sent").exists())
    message = sent_message(-1)
    raw = client_reply(message, "And the tracking number?")
    # A client that drops Reply-To and writes to the inbox address instead.
    raw = raw.replace(
        f"reply+{conversation.reply_token}@{INBOUND_DOMAIN}".encode(), b"support@omnidesk.test"
    )
    answer = receive_raw_email(raw)
    assert answer.result.conversation == conversation
    assert "by In-Reply-To" in answer.reason
