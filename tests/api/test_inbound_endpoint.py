"""POST /api/v1/inbound/: an outside system pushes a customer's message into omnidesk."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from conversations.actions.ingest import do_record_inbound
from conversations.models import Conversation, Inbox, Interaction
from customers.models import Customer
from spool.drain import drain_waiting
from spool.models import SpooledEvent
from tests.api.conftest import payload
from tests.factories import inbound

pytestmark = pytest.mark.django_db

URL = "/api/v1/inbound/"


def _push(body, token):
    client = APIClient()
    if token is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.post(URL, body, format="json")


def test_message_is_recorded_through_the_pipeline(api_inbox):
    body = payload("inbound_order_question.json")
    response = _push(body, api_inbox.token)
    assert response.status_code == 201, response.content
    interaction = Interaction.objects.get(kind="message")
    conversation = interaction.conversation
    assert response.json() == {"interaction": interaction.pk, "conversation": conversation.pk,
                               "customer": conversation.customer_id, "created": True}
    assert (interaction.channel, interaction.direction, interaction.inbox_id) == (
        "api", "in", api_inbox.pk)
    assert interaction.text == "Hi, my order #1042 still shows 'processing'. Can you check?"
    assert (interaction.subject, interaction.provider_id) == ("Order 1042", "shop-msg-1001")
    assert interaction.occurred_at == datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
    assert interaction.meta == {"order_id": "1042", "source": "shop-contact-form"}
    assert interaction.raw == body
    assert interaction.author_identity.value == "dana.reyes@example.com"
    assert (conversation.customer.name, conversation.team_id) == ("Dana Reyes", api_inbox.team_id)
    assert conversation.channels == ["api"]


def test_a_retry_records_nothing_and_answers_with_the_original(api_inbox):
    first = _push(payload("inbound_order_question.json"), api_inbox.token)
    again = _push(payload("inbound_order_question.json"), api_inbox.token)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "created": False}
    assert Interaction.objects.filter(kind="message").count() == 1


def test_joins_the_customer_open_conversation_from_another_channel(api_inbox, email_inbox):
    earlier = do_record_inbound(inbound(email_inbox, "email", "email", "dana.reyes@example.com",
                                        "Where is 1042?", provider_id="<e1@x>"))
    response = _push({**payload("inbound_order_question.json"), "occurred_at": None},
                     api_inbox.token)
    assert response.status_code == 201
    assert response.json()["conversation"] == earlier.conversation.pk
    assert response.json()["customer"] == earlier.conversation.customer_id
    conversation = Conversation.objects.get()
    assert conversation.channels == ["email", "api"]


def test_html_only_message_is_sanitized_and_gets_text(api_inbox):
    response = _push(payload("inbound_html_only.json"), api_inbox.token)
    assert response.status_code == 201
    interaction = Interaction.objects.get(pk=response.json()["interaction"])
    assert interaction.html == "<p>Refund for <b>#2001</b>?</p>"
    assert interaction.text == "Refund for #2001?"
    assert interaction.author_identity.kind == "external"


@pytest.mark.parametrize("header", [None, "Bearer", "Token abc", "Bearer nope"])
def test_missing_or_unknown_token_is_401_and_records_nothing(header, api_inbox):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.post(URL, payload("inbound_order_question.json"), format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="omnidesk-inbound"'
    assert Interaction.objects.count() == 0


def test_token_of_an_inactive_or_non_api_inbox_is_403(api_inbox, email_inbox):
    assert _push(payload("inbound_order_question.json"), email_inbox.token).status_code == 403
    Inbox.objects.filter(pk=api_inbox.pk).update(is_active=False)
    response = _push(payload("inbound_order_question.json"), api_inbox.token)
    assert response.status_code == 403
    assert response.json() == {"detail": "This token's inbox is not an active API inbox."}
    assert Interaction.objects.count() == 0 and Customer.objects.count() == 0


def test_unusable_sender_is_400_with_the_reason(api_inbox):
    response = _push(payload("inbound_bad_phone.json"), api_inbox.token)
    assert response.status_code == 400
    assert response.json() == {"sender": {"value": [
        "not a phone number: '12' ((0) Missing or invalid default region.)"]}}
    chat = _push({"sender": {"kind": "chat", "value": "v1"}, "text": "x"}, api_inbox.token)
    assert chat.status_code == 400
    assert list(chat.json()["sender"]) == ["kind"]
    assert Interaction.objects.count() == 0 and Customer.objects.count() == 0


def test_empty_or_oversized_text_is_400(api_inbox, settings):
    settings.OMNIDESK_API_INBOUND_MAX_CHARS = 20
    sender = {"kind": "email", "value": "a@example.com"}
    empty = _push({"sender": sender, "text": "  "}, api_inbox.token)
    assert empty.json() == {"text": ["A message needs text or html."]}
    long = _push({"sender": sender, "text": "x" * 21}, api_inbox.token)
    assert long.status_code == 400
    assert long.json() == {"text": ["Too long: 21 characters, at most 20 are accepted."]}
    assert Interaction.objects.count() == 0


def test_only_json_is_accepted(api_inbox):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_inbox.token}")
    response = client.post(URL, {"text": "x"})  # multipart
    assert response.status_code == 415


def test_inbound_url_is_not_shadowed_by_the_api_router():
    from django.urls import resolve

    assert resolve(URL).func.view_class.__name__ == "InboundMessageView"



def _push_with_key(body, token, key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY=key)
    return client.post(URL, body, format="json")


def test_a_retry_without_provider_id_but_with_an_idempotency_key_is_recorded_once(api_inbox):
    body = {"sender": {"kind": "email", "value": "ana@example.com"}, "text": "Still waiting"}

    first = _push_with_key(body, api_inbox.token, "push-7f3a")
    again = _push_with_key(body, api_inbox.token, "push-7f3a")
    other = _push_with_key(body, api_inbox.token, "push-9c1d")

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert again.json() == {**first.json(), "created": False}
    assert other.json()["interaction"] != first.json()["interaction"]
    assert Interaction.objects.filter(kind="message").count() == 2


def test_a_provider_id_wins_over_the_idempotency_key(api_inbox):
    body = {"sender": {"kind": "email", "value": "ana@example.com"}, "text": "Hi",
            "provider_id": "shop-1"}

    _push_with_key(body, api_inbox.token, "k-1")
    again = _push_with_key(body, api_inbox.token, "k-2")

    assert again.status_code == 200
    assert Interaction.objects.get(kind="message").provider_id == "shop-1"


@pytest.mark.parametrize("key", ["x" * 201, "bad\x01key"])
def test_an_idempotency_key_that_cannot_be_stored_is_a_400(api_inbox, key):
    body = {"sender": {"kind": "email", "value": "ana@example.com"}, "text": "Hi"}

    response = _push_with_key(body, api_inbox.token, key)

    assert response.status_code == 400
    assert response.json() == {"Idempotency-Key": ["Must be 1-200 printable characters."]}
    assert not Interaction.objects.exists()


def _push_async(body, token, **headers):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_PREFER="respond-async",
                       **headers)
    return client.post(URL, body, format="json")


def test_respond_async_keeps_the_message_and_the_drain_records_it_the_same(api_inbox):
    body = payload("inbound_order_question.json")
    response = _push_async(body, api_inbox.token)

    assert response.status_code == 202, response.content
    assert response.json() == {"accepted": True}
    assert response["Preference-Applied"] == "respond-async"
    assert not Interaction.objects.exists()
    assert SpooledEvent.objects.get().dedupe_key == f"{api_inbox.pk}:shop-msg-1001"

    assert drain_waiting() == 1
    interaction = Interaction.objects.get(kind="message")
    assert (interaction.provider_id, interaction.raw, interaction.meta) == (
        "shop-msg-1001", body, {"order_id": "1042", "source": "shop-contact-form"})
    assert interaction.occurred_at == datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
    assert interaction.conversation.customer.name == "Dana Reyes"


def test_respond_async_still_refuses_a_bad_body_at_once(api_inbox):
    response = _push_async({"sender": {"kind": "email", "value": "not an address"},
                            "text": "hi"}, api_inbox.token)
    assert response.status_code == 400
    assert not SpooledEvent.objects.exists()


def test_respond_async_retries_are_kept_once_and_recorded_once(api_inbox):
    body = {"sender": {"kind": "phone", "value": "+1 415 555 0134"}, "text": "Hello?"}
    for _ in range(2):
        assert _push_async(body, api_inbox.token, HTTP_IDEMPOTENCY_KEY="k-1").status_code == 202
    assert SpooledEvent.objects.count() == 1
    drain_waiting()
    assert _push_async(body, api_inbox.token, HTTP_IDEMPOTENCY_KEY="k-1").status_code == 202
    drain_waiting()  # the pipeline finds it recorded before
    assert Interaction.objects.get().provider_id == "idempotency-key:k-1"
    assert not SpooledEvent.objects.exists()


def test_without_the_spool_respond_async_is_not_applied(api_inbox, settings):
    settings.OMNIDESK_SPOOL = False
    response = _push_async(payload("inbound_order_question.json"), api_inbox.token)
    assert response.status_code == 201
    assert "Preference-Applied" not in response
