"""Replies on the API channel: a signed JSON POST to the inbox's outbound_url, sent by the
real worker; temporary failures retry, permanent ones fail visibly."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket

import pytest
from rest_framework.test import APIClient

from channels_api.config import validate_api_inbox_config
from channels_api.transport import ApiTransport
from conversations.actions.reply import do_send_reply
from conversations.models import Conversation, Interaction, Status
from conversations.transports import TransportError
from tests.api.conftest import payload
from tests.waiting import wait_for


def _inbound(inbox) -> dict:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {inbox.token}")
    response = client.post("/api/v1/inbound/", payload("inbound_order_question.json"),
                           format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _reply(user, conversation_id: int, text: str) -> dict:
    client = APIClient()
    client.force_authenticate(user)
    response = client.post(f"/api/v1/conversations/{conversation_id}/replies/", {"text": text},
                           format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _status(interaction_id: int, *wanted: str) -> Interaction | None:
    interaction = Interaction.objects.get(pk=interaction_id)
    return interaction if interaction.status in wanted else None


@pytest.mark.usefixtures("celery_worker")
def test_reply_is_posted_signed_and_marked_sent(outbound_api_inbox, receiver, agent_a):
    receiver.answer((200, {"id": "shop-out-77"}))
    pushed = _inbound(outbound_api_inbox)
    reply = _reply(agent_a, pushed["conversation"], "Your order ships today.")
    # The response shows the current state; the worker may already have taken it.
    assert (reply["channel"], reply["direction"]) == ("api", "out")
    assert reply["status"] in ("queued", "sending", "sent")

    sent = wait_for(lambda: _status(reply["id"], Status.SENT, Status.FAILED))
    assert (sent.status, sent.provider_id, sent.error) == ("sent", "shop-out-77", "")
    [request] = receiver.requests
    expected = hmac.new(outbound_api_inbox.token.encode(), request["body"],
                        hashlib.sha256).hexdigest()
    assert request["signature"] == f"sha256={expected}"
    assert request["delivery"] == str(reply["id"])
    assert request["content_type"] == "application/json"
    assert request["path"] == "/hooks/omnidesk"
    body = json.loads(request["body"])
    assert body == {
        "interaction_id": reply["id"], "conversation_id": pushed["conversation"],
        "customer_id": pushed["customer"],
        "recipient": {"kind": "email", "value": "dana.reyes@example.com"},
        "text": "Your order ships today.", "html": "", "subject": "Re: Order 1042",
        "occurred_at": sent.occurred_at.isoformat(),
    }


@pytest.mark.usefixtures("celery_worker")
def test_a_500_is_retried_with_the_same_delivery_id(outbound_api_inbox, receiver, agent_a):
    receiver.answer((500, {"error": "database down"}), (200, {"id": "shop-out-78"}))
    pushed = _inbound(outbound_api_inbox)
    reply = _reply(agent_a, pushed["conversation"], "Checking now.")

    requeued = wait_for(lambda: (i := _status(reply["id"], Status.QUEUED)) and i.error and i)
    assert requeued.error == (
        f'Retrying: {receiver.url} answered HTTP 500: {{"error": "database down"}}')
    assert requeued.send_attempts == 1
    # The worker's back-off before the first retry is 10 seconds (conversations.tasks).
    sent = wait_for(lambda: _status(reply["id"], Status.SENT), timeout=30)
    assert (sent.provider_id, sent.error, sent.send_attempts) == ("shop-out-78", "", 2)
    assert [r["delivery"] for r in receiver.requests] == [str(reply["id"])] * 2


@pytest.mark.usefixtures("celery_worker")
def test_a_400_fails_the_reply_with_the_reason_visible(outbound_api_inbox, receiver, agent_a):
    receiver.answer((400, {"error": "unknown customer"}))
    pushed = _inbound(outbound_api_inbox)
    reply = _reply(agent_a, pushed["conversation"], "Hello?")
    failed = wait_for(lambda: _status(reply["id"], Status.FAILED, Status.SENT))
    assert failed.status == "failed"
    assert failed.error == f'{receiver.url} answered HTTP 400: {{"error": "unknown customer"}}'
    assert len(receiver.requests) == 1
    client = APIClient()
    client.force_authenticate(agent_a)
    shown = client.get(f"/api/v1/interactions/{reply['id']}/").json()
    assert (shown["status"], shown["error"]) == ("failed", failed.error)


# --- the transport alone, without a worker -------------------------------------------


def _queued_reply(inbox, user) -> Interaction:
    pushed = _inbound(inbox)
    conversation = Conversation.objects.get(pk=pushed["conversation"])
    return do_send_reply(conversation=conversation, author=user, text="Hi")


@pytest.mark.django_db
@pytest.mark.parametrize("code,permanent", [(429, False), (502, False), (404, True),
                                            (301, True)])
def test_http_answers_map_to_temporary_or_permanent(code, permanent, outbound_api_inbox,
                                                    receiver, agent_a):
    receiver.answer((code, {"error": "no"}))
    reply = _queued_reply(outbound_api_inbox, agent_a)
    with pytest.raises(TransportError) as caught:
        ApiTransport().send(reply)
    assert caught.value.permanent is permanent
    assert f"answered HTTP {code}" in caught.value.message


@pytest.mark.django_db
def test_a_receiver_without_json_gives_no_provider_id(outbound_api_inbox, receiver, agent_a):
    receiver.answer((202, b"accepted"))
    result = ApiTransport().send(_queued_reply(outbound_api_inbox, agent_a))
    assert (result.provider_id, result.status) == (None, "sent")


@pytest.mark.django_db
def test_an_unreachable_receiver_is_temporary(api_inbox, agent_a):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    api_inbox.config = {"outbound_url": f"http://127.0.0.1:{closed_port}/x"}
    api_inbox.save()
    with pytest.raises(TransportError) as caught:
        ApiTransport().send(_queued_reply(api_inbox, agent_a))
    assert caught.value.permanent is False
    assert caught.value.message.startswith(f"Could not reach http://127.0.0.1:{closed_port}/x")


@pytest.mark.django_db
def test_reply_without_outbound_url_is_refused_up_front(api_inbox, agent_a):
    pushed = _inbound(api_inbox)
    client = APIClient()
    client.force_authenticate(agent_a)
    response = client.post(f"/api/v1/conversations/{pushed['conversation']}/replies/",
                           {"text": "Hello"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "The API inbox Shop events has no outbound_url, so "
                               "replies cannot be delivered; an admin can set one in the "
                               "inbox's config."}
    assert not Interaction.objects.filter(direction="out").exists()


def test_config_validator():
    assert validate_api_inbox_config({}) == {}
    assert validate_api_inbox_config({"outbound_url": ""}) == {}
    assert validate_api_inbox_config({"outbound_url": "http://127.0.0.1:8080/in"}) == {
        "outbound_url": "http://127.0.0.1:8080/in"}
    with pytest.raises(ValueError, match="http:// or https://"):
        validate_api_inbox_config({"outbound_url": "file:///etc/passwd"})
