"""The widget's HTTP side: script, settings with CORS for allowed origins only, uploads
with the visitor token and their limits, the demo host page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from channels_chat.tokens import visitor_token
from conversations.models import Interaction

pytestmark = pytest.mark.django_db
SHOP = "https://shop.example"


@pytest.fixture
def widget(chat_inbox):
    chat_inbox.config = {"widget_key": "shopkey1", "allowed_origins": [SHOP]}
    chat_inbox.save()
    return chat_inbox


def test_the_script_and_settings_are_served_to_allowed_sites_only(widget):
    client = Client()
    script = client.get("/chat/widget.js")
    assert script.status_code == 200 and script["Content-Type"] == "text/javascript"
    assert b"data-widget" in script.content
    ok = client.get("/chat/shopkey1/settings/", HTTP_ORIGIN=SHOP)
    assert ok.status_code == 200
    assert ok["Access-Control-Allow-Origin"] == SHOP
    assert ok.json() == {"online": False, "settings": {
        "color": "#2563eb", "greeting": "Hi! How can we help?", "position": "right",
        "launcher_text": "Chat with us", "language": "en",
        "offline_message": "Nobody is online right now. Leave a message and your email "
                           "address: we answer by email.",
        "reply_time": "within a few hours", "prechat": [], "name": "Website chat"}}
    assert client.get("/chat/shopkey1/settings/", HTTP_ORIGIN="https://evil.test"
                      ).status_code == 403
    assert client.get("/chat/nosuchkey/settings/", HTTP_ORIGIN=SHOP).status_code == 404


def _upload(client, token, name="photo.png", content_type="image/png", data=b"\x89PNG...",
            client_id="u1"):
    return client.post(
        "/chat/shopkey1/attachments/",
        {"file": SimpleUploadedFile(name, data, content_type=content_type),
         "client_id": client_id},
        HTTP_ORIGIN=SHOP, HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_an_upload_is_a_message_with_its_attachment_recorded_once(widget, settings):
    client = Client()
    token = visitor_token(widget.pk, "visitor-1")
    first = _upload(client, token, name="../../etc/my photo.png")
    assert first.status_code == 201
    again = _upload(client, token, name="../../etc/my photo.png")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    interaction = Interaction.objects.get()
    attachment = interaction.attachments.get()
    assert (attachment.name, attachment.size) == ("my_photo.png", 7)
    assert interaction.author_identity.value == "visitor-1"

    assert _upload(client, "forged", client_id="u2").status_code == 401
    assert _upload(client, visitor_token(widget.pk + 1, "visitor-1"),
                   client_id="u2").status_code == 401
    assert _upload(client, token, name="run.exe", content_type="application/x-msdownload",
                   client_id="u3").status_code == 415
    settings.OMNIDESK_CHAT_ATTACHMENT_MAX_BYTES = 4
    assert _upload(client, token, client_id="u4").status_code == 413
    assert Interaction.objects.count() == 1


def test_the_demo_host_page_embeds_the_snippet(widget):
    page = Client().get("/chat/demo/")
    assert page.status_code == 200
    assert b'/chat/widget.js" data-widget="shopkey1" async' in page.content
