"""One shape per object: the REST API's body and the socket event's payload of the same
conversation, interaction or customer are equal, so a client can upsert from either;
the schema's serializers name exactly the payload's fields."""

from __future__ import annotations

import pytest

from api.serializers.conversations import ConversationSerializer
from api.serializers.customers import CustomerSerializer, IdentitySerializer
from api.serializers.interactions import AttachmentSerializer, InteractionSerializer
from conversations.actions.ingest import do_record_inbound
from conversations.actions.update import do_update_conversation
from conversations.inbound import InboundAttachment
from conversations.models import Attachment, Conversation, Interaction
from conversations.payloads import attachment_payload, conversation_payload, interaction_payload
from customers.models import Customer, Identity
from customers.payloads import customer_payload, identity_payload
from realtime.models import RealtimeEvent
from tests.factories import inbound

pytestmark = pytest.mark.django_db

PIXEL = "https://tracker.example.com/open.gif?u=42"


def _latest(name):
    return RealtimeEvent.objects.filter(name=name).latest("id").payload


@pytest.fixture
def email(email_inbox):
    """An email with an inline image, a PDF and a tracking pixel."""
    return do_record_inbound(inbound(
        email_inbox, "email", "email", "dana@example.com", "See the photo",
        provider_id="<shape@x>", subject="Broken lid", sender_name="Dana Reyes",
        html=f'<p>See <img src="cid:photo1@x" alt="photo"> and <img src="{PIXEL}"></p>',
        attachments=[
            InboundAttachment("photo.png", "image/png", b"\x89PNG", content_id="photo1@x"),
            InboundAttachment("receipt.pdf", "application/pdf", b"%PDF"),
        ],
    ))


def test_conversation_body_equals_its_socket_payload(email, client_for, lead, agent_a, team_a):
    conversation = email.conversation
    do_update_conversation(conversation, by=lead,
                           changes={"assignee": agent_a, "priority": 2, "tags": ["vip"]})
    socket = _latest("conversation.updated")
    client = client_for(lead)
    body = client.get(f"/api/v1/conversations/{conversation.pk}/").json()
    listed = client.get("/api/v1/conversations/").json()["results"][0]
    assert body == socket == listed
    assert body["team"] == {"id": team_a.pk, "name": "Team A"}
    assert body["assignee"] == {"id": agent_a.pk, "username": "agent_a", "name": "agent_a"}
    assert body["customer"] == {"id": conversation.customer_id, "name": "Dana Reyes"}
    assert (body["awaiting_channel"], body["last_inbound_inbox_id"]) == (
        "email", email.interaction.inbox_id)


def test_interaction_body_equals_its_socket_payload(email, client_for, client, agent_a):
    interaction = email.interaction
    socket = _latest("interaction.created")
    api = client_for(agent_a)
    body = api.get(f"/api/v1/interactions/{interaction.pk}/").json()
    timeline = api.get(
        f"/api/v1/conversations/{interaction.conversation_id}/interactions/").json()["results"]
    assert body == socket == timeline[0]
    photo, receipt = Attachment.objects.filter(interaction=interaction).order_by("id")
    assert body["attachments"] == [
        {"id": photo.pk, "name": "photo.png", "content_type": "image/png", "size": 4,
         "content_id": "photo1@x", "url": f"/attachments/{photo.pk}/", "note": ""},
        {"id": receipt.pk, "name": "receipt.pdf", "content_type": "application/pdf",
         "size": 4, "content_id": "", "url": f"/attachments/{receipt.pk}/", "note": ""},
    ]
    assert body["author"] == {"type": "customer", "agent_id": None,
                              "identity_id": interaction.author_identity_id,
                              "name": "dana@example.com"}
    assert (body["conversation_id"], body["customer_id"], body["inbox_id"]) == (
        interaction.conversation_id, interaction.customer_id, interaction.inbox_id)
    # Inline images point at the permission-checked download; the pixel stays blocked.
    assert body["html"] == (
        f'<p>See <img src="/attachments/{photo.pk}/" alt="photo"> and '
        f'<img src="" data-blocked-src="{PIXEL.replace("&", "&amp;")}"></p>')
    client.force_login(agent_a)  # the download view is for signed-in browsers
    download = client.get(body["attachments"][0]["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"\x89PNG"


def test_customer_body_equals_the_customer_updated_payload(email, client_for, agent_a):
    customer = email.conversation.customer
    response = client_for(agent_a).patch(f"/api/v1/customers/{customer.pk}/",
                                         {"notes": "Prefers email", "tags": ["vip"]},
                                         format="json")
    assert response.status_code == 200
    body = response.json()
    assert body == _latest("customer.updated")
    assert body == client_for(agent_a).get(f"/api/v1/customers/{customer.pk}/").json()
    identity = Identity.objects.get(customer=customer)
    assert body["identities"] == [
        {"id": identity.pk, "kind": "email", "value": "dana@example.com", "verified": True,
         "created_at": identity.created_at.isoformat()}]
    assert (body["notes"], body["tags"]) == ("Prefers email", ["vip"])


@pytest.mark.parametrize(("serializer", "payload", "model"), [
    (ConversationSerializer, conversation_payload, Conversation),
    (InteractionSerializer, interaction_payload, Interaction),
    (AttachmentSerializer, attachment_payload, Attachment),
    (CustomerSerializer, customer_payload, Customer),
    (IdentitySerializer, identity_payload, Identity),
])
def test_schema_serializers_name_exactly_the_payload_fields(
    email, serializer, payload, model
):
    instance = model.objects.order_by("id").first()
    assert list(serializer().fields) == list(payload(instance))
    assert serializer(instance).data == payload(instance)
