"""Interactions across conversations, filtered; the agent sees only their teams'."""

from __future__ import annotations

import pytest

from conversations.actions.note import do_add_note
from conversations.models import Interaction

pytestmark = pytest.mark.django_db


def _texts(client, query=""):
    response = client.get(f"/api/v1/interactions/{query}")
    assert response.status_code == 200, response.content
    return [i["text"] for i in response.json()["results"]]


def test_filters_and_order(conversation_a, conversation_b, client_for, lead):
    do_add_note(conversation=conversation_a, author=lead, text="Checked the courier")
    client = client_for(lead)
    assert _texts(client) == ["Checked the courier", "Invoice 77 is wrong", "Where is my parcel?"]
    assert _texts(client, "?order=asc") == [
        "Where is my parcel?", "Invoice 77 is wrong", "Checked the courier"]
    assert _texts(client, "?channel=sms,email") == ["Invoice 77 is wrong", "Where is my parcel?"]
    assert _texts(client, "?direction=internal") == ["Checked the courier"]
    assert _texts(client, "?kind=note") == ["Checked the courier"]
    assert _texts(client, f"?conversation={conversation_b.pk}") == ["Invoice 77 is wrong"]
    assert _texts(client, f"?customer={conversation_a.customer_id}&kind=message") == [
        "Where is my parcel?"]
    assert _texts(client, "?status=received&channel=email") == ["Invoice 77 is wrong"]
    assert client.get("/api/v1/interactions/?direction=sideways").status_code == 400


def test_detail(conversation_a, client_for, agent_a):
    interaction = Interaction.objects.get(conversation=conversation_a)
    body = client_for(agent_a).get(f"/api/v1/interactions/{interaction.pk}/").json()
    assert {k: body[k] for k in ("id", "conversation_id", "customer_id", "channel", "direction",
                                 "kind", "text", "provider_id", "status")} == {
        "id": interaction.pk, "conversation_id": conversation_a.pk,
        "customer_id": conversation_a.customer_id, "channel": "sms", "direction": "in",
        "kind": "message", "text": "Where is my parcel?", "provider_id": "SM-a1",
        "status": "received"}
    assert "raw" not in body
