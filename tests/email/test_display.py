"""As agents see an email (its payload's display HTML): inline images are served from
the stored attachments, remote images stay blocked, and the raw message is downloadable:
each behind the conversation's permissions."""

from __future__ import annotations

import pytest

from channels_email.receive import receive_raw_email
from conversations.models import Attachment
from conversations.payloads import interaction_payload
from tests.email.conftest import corpus_bytes
from tests.email.test_corpus import PNG

pytestmark = pytest.mark.django_db


def test_cid_images_point_at_their_stored_attachment(client, email_inbox, agent_a, agent_b):
    raw = corpus_bytes("apple_mail_reply.eml")
    interaction = receive_raw_email(raw).result.interaction
    image = Attachment.objects.get(interaction=interaction)

    shown = interaction_payload(interaction)["html"]

    assert shown == (
        f'<div>Here is a photo of the crack.</div><div><img src="/attachments/{image.pk}/"'
        ' alt="IMG_1234.png"></div><div><br></div>'
    )
    client.force_login(agent_a)
    response = client.get(f"/attachments/{image.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    raw_response = client.get(f"/interactions/{interaction.pk}/raw/")
    assert raw_response.status_code == 200
    assert b"".join(raw_response.streaming_content) == raw

    client.force_login(agent_b)
    assert client.get(f"/attachments/{image.pk}/").status_code == 404
    assert client.get(f"/interactions/{interaction.pk}/raw/").status_code == 404


def test_an_unknown_cid_is_left_alone_and_remote_images_are_blocked(email_inbox):
    interaction = receive_raw_email(corpus_bytes("html_only.eml")).result.interaction
    interaction.html = '<img src="cid:missing@x">' + interaction.html
    shown = interaction_payload(interaction)["html"]
    assert shown.startswith('<img src="cid:missing@x">')
    assert 'data-blocked-src="https://tracker.example.com/pixel.gif"' in shown
