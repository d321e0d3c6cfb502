"""anymail's inbound webhooks: real Postmark, SendGrid and Mailgun payloads, with the
webhook secret as basic auth, land in the pipeline; a repeated delivery records one
interaction; an unauthenticated post records nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from conversations.models import Attachment, Conversation, Interaction
from tests.email.conftest import BASIC_AUTH, payload

pytestmark = pytest.mark.django_db


def post_json(client: Client, url: str, body: object, **extra: str):
    return client.post(url, data=json.dumps(body), content_type="application/json", **extra)


def test_postmark_inbound_lands_in_a_conversation(client, email_inbox):
    response = post_json(
        client,
        "/anymail/postmark/inbound/",
        payload("postmark_inbound.json"),
        HTTP_AUTHORIZATION=BASIC_AUTH,
    )

    assert response.status_code == 200
    interaction = Interaction.objects.get(channel="email")
    assert interaction.inbox == email_inbox
    assert interaction.provider_id == (
        "<CAGXpo2WKfxHWZ5UFYCR3H_J9SNMG+5AXUovfEFL6DjWBJSyZaA@mail.example.com>"
    )
    assert interaction.author_identity.value == "carla.mendes@example.com"
    assert interaction.customer.name == "Carla Mendes"
    assert interaction.subject == "Damaged parcel, order 2210"
    assert interaction.text == "Hello, parcel 2210 arrived damaged. Photo attached.\n\nCarla"
    assert interaction.html == (
        "<p>Hello, parcel 2210 arrived damaged. Photo attached.</p><p>Carla</p>"
    )
    assert interaction.meta["source"] == "anymail:Postmark"
    assert interaction.conversation.participants == ["paulo.mendes@example.com"]
    attachment = Attachment.objects.get(interaction=interaction)
    assert (attachment.name, attachment.content_type) == ("parcel.png", "image/png")
    with attachment.file.open("rb") as handle:
        assert handle.read() == b"\x89PNG fake image bytes"


def test_a_repeated_postmark_webhook_records_one_interaction(client, email_inbox):
    body = payload("postmark_inbound.json")
    for _ in range(3):
        response = post_json(
            client, "/anymail/postmark/inbound/", body, HTTP_AUTHORIZATION=BASIC_AUTH
        )
        assert response.status_code == 200
    assert Interaction.objects.filter(channel="email").count() == 1
    assert Conversation.objects.count() == 1


def test_without_message_id_the_esp_event_id_deduplicates(client, email_inbox):
    body = payload("postmark_inbound.json")
    body["Headers"] = [h for h in body["Headers"] if h["Name"] != "Message-ID"]
    for _ in range(2):
        response = post_json(
            client, "/anymail/postmark/inbound/", body, HTTP_AUTHORIZATION=BASIC_AUTH
        )
        assert response.status_code == 200
    interaction = Interaction.objects.get(channel="email")
    assert interaction.provider_id == (
        "<73e6d360-66eb-11e1-8e72-a8904824019b@postmark.anymail.invalid>"
    )


@pytest.mark.parametrize("auth", [None, "Basic " + "d3Jvbmc6c2VjcmV0"])
def test_inbound_without_the_webhook_secret_records_nothing(client, email_inbox, auth):
    extra = {"HTTP_AUTHORIZATION": auth} if auth else {}
    response = post_json(
        client, "/anymail/postmark/inbound/", payload("postmark_inbound.json"), **extra
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic ")
    assert not Interaction.objects.exists()


def test_sendgrid_raw_inbound_lands(client, email_inbox):
    response = client.post(
        "/anymail/sendgrid/inbound/",
        data=payload("sendgrid_inbound_raw.json"),
        HTTP_AUTHORIZATION=BASIC_AUTH,
    )
    assert response.status_code == 200
    interaction = Interaction.objects.get(channel="email")
    assert interaction.provider_id == "<CAHugoMartin123@mail.example.fr>"
    assert interaction.subject == "Probl\u00e8me de connexion"
    assert interaction.text == "Je n'arrive plus \u00e0 me connecter depuis hier."
    assert interaction.meta["source"] == "anymail:SendGrid"


def test_mailgun_signed_inbound_lands_and_a_bad_signature_does_not(client, email_inbox):
    body = payload("mailgun_inbound_mime.json")
    forged = {**body, "signature": "0" * 64}
    response = client.post(
        "/anymail/mailgun/inbound_mime/", data=forged, HTTP_AUTHORIZATION=BASIC_AUTH
    )
    assert response.status_code == 403
    assert not Interaction.objects.exists()

    response = client.post(
        "/anymail/mailgun/inbound_mime/", data=body, HTTP_AUTHORIZATION=BASIC_AUTH
    )
    assert response.status_code == 200
    interaction = Interaction.objects.get(channel="email")
    assert interaction.author_identity.value == "olivia.chen@example.com"
    assert interaction.text == "The reset link says it has expired, every time."
    assert (
        interaction.html == '<div dir="ltr">The reset link says it has expired, every time.</div>'
    )


def test_a_message_that_cannot_be_kept_is_refused_so_the_esp_retries(db):
    # No email inbox exists: nothing can hold the message, so the ESP must try again.
    client = Client(raise_request_exception=False)
    response = post_json(
        client,
        "/anymail/postmark/inbound/",
        payload("postmark_inbound.json"),
        HTTP_AUTHORIZATION=BASIC_AUTH,
    )
    assert response.status_code == 500
    assert not Interaction.objects.exists()


def test_sendgrid_parsed_fields_without_any_id_are_still_recorded_once(client, email_inbox):
    # SendGrid's default (not "Send Raw") post: parsed fields, no event id, and here a
    # client that sent no Message-ID either.
    body = {
        "headers": "From: Ines Duarte <ines@example.pt>\nTo: support@omnidesk.test\n"
        "Subject: Fatura em falta\nDate: Wed, 15 Jan 2025 12:00:00 +0000\n",
        "from": "Ines Duarte <ines@example.pt>",
        "to": "support@omnidesk.test",
        "subject": "Fatura em falta",
        "text": "Ainda n\u00e3o recebi a fatura.",
        "html": "<p>Ainda n\u00e3o recebi a fatura.</p>",
        "charsets": '{"to":"UTF-8","html":"UTF-8","subject":"UTF-8","from":"UTF-8","text":"UTF-8"}',
        "envelope": '{"to":["support@omnidesk.test"],"from":"ines@example.pt"}',
        "attachments": "0",
    }
    for _ in range(2):
        response = client.post(
            "/anymail/sendgrid/inbound/", data=body, HTTP_AUTHORIZATION=BASIC_AUTH
        )
        assert response.status_code == 200
    interaction = Interaction.objects.get(channel="email")
    assert interaction.text == "Ainda n\u00e3o recebi a fatura."
    assert interaction.provider_id.endswith("@sendgrid.anymail.invalid>")
