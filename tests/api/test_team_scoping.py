"""Team scoping: an agent reads and changes only their teams' conversations (or those
assigned to them); others are 404. Non-agents get 403; leads and admins see all."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from conversations.actions.update import do_update_conversation
from conversations.models import Interaction

pytestmark = pytest.mark.django_db


def _ids(response):
    assert response.status_code == 200, response.content
    return [c["id"] for c in response.json()["results"]]


def test_agent_of_team_b_cannot_see_or_touch_a_team_a_conversation(
    conversation_a, conversation_b, client_for, agent_b
):
    client = client_for(agent_b)
    base = f"/api/v1/conversations/{conversation_a.pk}/"
    assert _ids(client.get("/api/v1/conversations/")) == [conversation_b.pk]
    assert client.get(base).status_code == 404
    assert client.get(f"{base}interactions/").status_code == 404
    assert client.patch(base, {"status": "resolved"}, format="json").status_code == 404
    assert client.post(f"{base}replies/", {"text": "hi"}, format="json").status_code == 404
    assert client.post(f"{base}notes/", {"text": "psst"}, format="json").status_code == 404
    first = Interaction.objects.filter(conversation=conversation_a).first()
    assert client.get(f"/api/v1/interactions/{first.pk}/").status_code == 404
    listed = client.get("/api/v1/interactions/").json()["results"]
    assert {i["conversation_id"] for i in listed} == {conversation_b.pk}
    conversation_a.refresh_from_db()
    assert conversation_a.status == "open"
    assert not Interaction.objects.filter(conversation=conversation_a, kind="note").exists()


def test_agent_sees_a_conversation_of_another_team_assigned_to_them(
    conversation_a, conversation_b, client_for, agent_b, lead
):
    do_update_conversation(conversation_a, by=lead, changes={"assignee": agent_b})
    client = client_for(agent_b)
    # The assignment is the latest activity.
    assert _ids(client.get("/api/v1/conversations/")) == [conversation_a.pk, conversation_b.pk]
    assert client.get(f"/api/v1/conversations/{conversation_a.pk}/").status_code == 200


@pytest.mark.parametrize("persona", ["lead", "admin_user"])
def test_leads_and_admins_see_every_team(persona, conversation_a, conversation_b, client_for,
                                         request):
    client = client_for(request.getfixturevalue(persona))
    assert _ids(client.get("/api/v1/conversations/")) == [conversation_b.pk, conversation_a.pk]
    assert client.get(f"/api/v1/conversations/{conversation_a.pk}/").status_code == 200
    assert client.get(f"/api/v1/conversations/{conversation_b.pk}/").status_code == 200


@pytest.mark.parametrize("method,path", [
    ("get", "/api/v1/conversations/"),
    ("get", "/api/v1/customers/"),
    ("get", "/api/v1/interactions/"),
    ("get", "/api/v1/inboxes/"),
    ("get", "/api/v1/teams/"),
    ("get", "/api/v1/agents/"),
    ("post", "/api/v1/customers/"),
])
def test_a_user_who_is_not_an_agent_is_refused(method, path, outsider, client_for):
    response = getattr(client_for(outsider), method)(path, {}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only helpdesk agents may use the API."}


def test_outsider_cannot_read_a_conversation_either(conversation_a, outsider, client_for):
    assert client_for(outsider).get(
        f"/api/v1/conversations/{conversation_a.pk}/").status_code == 403


def test_anonymous_is_asked_to_authenticate(conversation_a):
    response = APIClient().get("/api/v1/conversations/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
