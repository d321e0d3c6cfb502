"""A reply's attachments go to Twilio as MediaUrl: public URLs Twilio downloads from us."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from conversations.actions.delivery import do_claim_for_sending
from conversations.actions.reply import do_send_reply
from conversations.models import Attachment, Interaction
from conversations.transports import TransportError, get_transport
from tests.sms.conftest import INBOUND_PATH, payload
from tests.twilio.signing import post_signed

pytestmark = pytest.mark.django_db


def _reply_with_photo(client, agent):
    post_signed(client, INBOUND_PATH, payload("sms_inbound"))
    conversation = Interaction.objects.get(kind="message").conversation
    reply = do_send_reply(conversation=conversation, author=agent, text="The label to print")
    photo = Attachment(interaction=reply, name="label.png", content_type="image/png", size=4)
    photo.file.save("label.png", ContentFile(b"\x89PNG"), save=True)
    do_claim_for_sending(reply.pk)
    return Interaction.objects.get(pk=reply.pk), photo


def test_attachments_are_sent_as_media_urls(client, inbox, agent_a, fake_twilio):
    reply, _ = _reply_with_photo(client, agent_a)

    get_transport("sms").send(reply)

    [request] = fake_twilio.sends()
    [url] = request.data["MediaUrl"]
    assert url.startswith("http://testserver/attachments/public/")
    assert request.data["Body"] == "The label to print"
    # What Twilio gets when it fetches the link, signed in as nobody.
    fetched = Client().get(url.removeprefix("http://testserver"))
    assert fetched.status_code == 200
    assert b"".join(fetched.streaming_content) == b"\x89PNG"


def test_an_inbox_without_mms_refuses_attachments(client, inbox, agent_a, fake_twilio):
    inbox.config = {**inbox.config, "capabilities": ["sms"]}
    inbox.save()
    reply, _ = _reply_with_photo(client, agent_a)

    with pytest.raises(TransportError) as failed:
        get_transport("sms").send(reply)

    assert failed.value.permanent
    assert failed.value.message == "The inbox Support line cannot send attachments (no MMS)."
    assert fake_twilio.sends() == []
