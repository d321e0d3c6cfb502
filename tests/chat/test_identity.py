"""Visitors a host site signs in (HMAC) join their Customer; a forged hash is refused; an
email a visitor merely types never shows them its owner's history."""

from __future__ import annotations

import asyncio
import hashlib
import hmac

import pytest

from channels_chat.actions import CLAIMED_EMAIL
from conversations.actions.ingest import do_record_inbound
from customers.models import Customer, Identity
from tests.chat.helpers import frames_until, hello, visitor_socket
from tests.factories import inbound

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "s3cret-of-the-widget"


def _sign(value: str) -> str:
    return hmac.new(SECRET.encode(), value.encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def widget(chat_inbox):
    chat_inbox.secrets = {"identity_secret": SECRET}
    chat_inbox.save()
    return chat_inbox


@pytest.fixture
def ann(widget):
    """Ann's earlier chat, from another browser, signed in as ann@example.com."""
    do_record_inbound(inbound(widget, "chat", "chat", "ann-old-browser", "My order is late",
                              provider_id="old-1"))
    customer = Identity.objects.get(value="ann-old-browser").customer
    Identity.objects.create(customer=customer, kind="email", value="ann@example.com")
    return customer


def test_a_signed_in_visitor_joins_their_customer_and_sees_their_history(widget, ann):
    async def scenario() -> dict:
        visitor = visitor_socket(widget)
        welcome = await hello(visitor, identity={"id": "Ann@Example.com",
                                                 "hash": _sign("Ann@Example.com")})
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "Any news?"})
        await frames_until(visitor, "ack")
        await visitor.disconnect()
        return welcome

    welcome = asyncio.run(scenario())
    assert [m["text"] for m in welcome["history"]] == ["My order is late"]
    identity = Identity.objects.get(kind="chat", value=welcome["visitor_id"])
    assert identity.customer_id == ann.pk and identity.verified
    assert Customer.objects.count() == 1
    assert list(ann.interactions.order_by("id").values_list("text", flat=True)) == [
        "My order is late", "Any news?"]


def test_a_forged_hash_is_refused(widget, ann):
    async def scenario() -> None:
        visitor = visitor_socket(widget)
        connected, _ = await visitor.connect()
        assert connected
        await visitor.send_json_to({"type": "hello", "identity": {
            "id": "ann@example.com", "hash": _sign("mallory@example.com")}})
        assert await visitor.receive_json_from() == {"type": "error", "error": "identity_refused"}
        assert (await visitor.receive_output())["code"] == 4401

    asyncio.run(scenario())
    assert Identity.objects.filter(kind="chat").count() == 1  # Ann's old browser only


def test_without_a_secret_no_identity_is_accepted(chat_inbox):
    async def scenario() -> None:
        visitor = visitor_socket(chat_inbox)
        await visitor.connect()
        await visitor.send_json_to({"type": "hello", "identity": {"id": "x@y.z", "hash": ""}})
        assert (await visitor.receive_json_from())["error"] == "identity_refused"
        await visitor.disconnect()

    asyncio.run(scenario())


def test_a_claimed_email_exposes_no_earlier_history(widget, ann):
    async def scenario() -> tuple[dict, dict]:
        visitor = visitor_socket(widget)
        welcome = await hello(visitor)
        await visitor.send_json_to({"type": "contact", "email": "ann@example.com"})
        await frames_until(visitor, "contact_saved")
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "It's Ann"})
        await frames_until(visitor, "ack")
        await visitor.disconnect()
        again = visitor_socket(widget)
        later = await hello(again, token=welcome["token"])
        await again.disconnect()
        return welcome, later

    welcome, later = asyncio.run(scenario())
    assert [m["text"] for m in later["history"]] == ["It's Ann"]
    claimer = Identity.objects.get(kind="chat", value=welcome["visitor_id"]).customer
    assert claimer.pk != ann.pk
    assert claimer.attributes[CLAIMED_EMAIL] == "ann@example.com"
    assert not claimer.identities.filter(kind="email").exists()


def test_the_same_browser_signed_in_as_someone_else_becomes_a_new_visitor(widget, ann):
    async def scenario() -> tuple[dict, dict]:
        first = visitor_socket(widget)
        as_ann = await hello(first, identity={"id": "ann@example.com",
                                              "hash": _sign("ann@example.com")})
        await first.disconnect()
        second = visitor_socket(widget)
        as_bob = await hello(second, token=as_ann["token"], identity={
            "id": "bob@example.com", "hash": _sign("bob@example.com")})
        await second.disconnect()
        return as_ann, as_bob

    as_ann, as_bob = asyncio.run(scenario())
    assert as_bob["visitor_id"] != as_ann["visitor_id"]
    assert as_bob["history"] == []
    bob = Identity.objects.get(kind="email", value="bob@example.com").customer
    assert bob.pk != ann.pk
    assert Identity.objects.get(value=as_bob["visitor_id"]).customer_id == bob.pk


def test_the_prechat_form_names_the_visitor_and_claims_a_taken_phone(widget, ann):
    Identity.objects.create(customer=ann, kind="phone", value="+14155550123")

    async def scenario() -> dict:
        visitor = visitor_socket(widget)
        welcome = await hello(visitor)
        await visitor.send_json_to({"type": "contact", "name": "Sam Vega",
                                    "phone": "+1 (415) 555-0123"})
        saved = (await frames_until(visitor, "contact_saved"))[-1]
        assert saved == {"type": "contact_saved", "email": "", "phone": "+14155550123"}
        await visitor.send_json_to({"type": "contact", "phone": "not a number"})
        refused = (await frames_until(visitor, "error"))[-1]
        assert refused["error"] == "contact"
        await visitor.disconnect()
        return welcome

    welcome = asyncio.run(scenario())
    visitor = Identity.objects.get(kind="chat", value=welcome["visitor_id"]).customer
    assert visitor.name == "Sam Vega"
    assert visitor.attributes == {"chat_claimed_phone": "+14155550123"}
    assert not visitor.identities.filter(kind="phone").exists()
