"""anymail's tracking webhooks move the outbound interaction to delivered, opened,
bounced or complained; never backwards; only with the webhook secret."""

from __future__ import annotations

import json

import pytest

from channels_email.receive import receive_raw_email
from conversations.actions.reply import do_send_reply
from conversations.models import Interaction
from tests.email.conftest import BASIC_AUTH, payload
from tests.email.helpers import compose, send_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(email_inbox, agent_a) -> Interaction:
    first = receive_raw_email(
        compose(
            sender="dana.reyes@example.com",
            subject="Order 1042 is late",
            message_id="<order@example.com>",
        )
    )
    reply = do_send_reply(conversation=first.result.conversation, author=agent_a, text="Soon.")
    return send_now(reply)


def post(client, url: str, body: object, auth: str | None = BASIC_AUTH):
    extra = {"HTTP_AUTHORIZATION": auth} if auth else {}
    return client.post(url, data=json.dumps(body), content_type="application/json", **extra)


def postmark(name: str, sent: Interaction, *, with_metadata: bool = True) -> dict:
    body = payload(name)
    body["MessageID"] = sent.meta.get("esp_message_id", "")
    body["Metadata"] = {"omnidesk_interaction": str(sent.pk)} if with_metadata else {}
    return body


def test_the_sent_interaction_keeps_the_esp_id_and_our_message_id(sent):
    assert sent.status == "sent"
    assert sent.provider_id == sent.meta["message_id"]
    assert sent.provider_id.startswith(f"<omnidesk.{sent.pk}.")
    assert sent.meta["esp_name"] == "Test"
    assert sent.meta["esp_message_id"] == "0"


def test_postmark_delivery_by_metadata(client, sent):
    response = post(client, "/anymail/postmark/tracking/", postmark("postmark_delivery.json", sent))
    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.status == "delivered"
    assert sent.meta["esp_event"] == "Postmark:delivered"


def test_postmark_open_by_esp_message_id_then_a_late_delivery_does_not_move_it_back(client, sent):
    body = postmark("postmark_open.json", sent, with_metadata=False)
    assert post(client, "/anymail/postmark/tracking/", body).status_code == 200
    late = postmark("postmark_delivery.json", sent)
    assert post(client, "/anymail/postmark/tracking/", late).status_code == 200
    sent.refresh_from_db()
    assert sent.status == "opened"


def test_postmark_hard_bounce(client, sent):
    response = post(client, "/anymail/postmark/tracking/", postmark("postmark_bounce.json", sent))
    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.status == "bounced"
    assert sent.error == (
        "The server was unable to deliver your message (ex: unknown user, mailbox not found)."
    )


def test_mailgun_delivered_by_our_message_id(client, sent):
    body = payload("mailgun_delivered.json")
    body["event-data"]["message"]["headers"]["message-id"] = sent.provider_id.strip("<>")
    response = post(client, "/anymail/mailgun/tracking/", body)
    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.status == "delivered"
    assert sent.meta["esp_event"] == "Mailgun:delivered"


def test_tracking_without_the_webhook_secret_changes_nothing(client, sent):
    response = post(
        client, "/anymail/postmark/tracking/", postmark("postmark_bounce.json", sent), auth=None
    )
    assert response.status_code == 401
    sent.refresh_from_db()
    assert sent.status == "sent"


def test_tracking_of_an_unknown_message_is_accepted_and_ignored(client, sent):
    body = postmark("postmark_delivery.json", sent, with_metadata=False)
    body["MessageID"] = "00000000-0000-0000-0000-000000000000"
    assert post(client, "/anymail/postmark/tracking/", body).status_code == 200
    sent.refresh_from_db()
    assert sent.status == "sent"


def test_an_event_before_the_send_is_recorded_asks_the_esp_to_retry(sent, agent_a):
    from django.test import Client

    queued = do_send_reply(conversation=sent.conversation, author=agent_a, text="More.")
    body = postmark("postmark_delivery.json", queued)
    response = Client(raise_request_exception=False).post(
        "/anymail/postmark/tracking/",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=BASIC_AUTH,
    )
    assert response.status_code == 500
    queued.refresh_from_db()
    assert queued.status == "queued"
