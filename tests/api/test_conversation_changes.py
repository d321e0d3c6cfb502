"""Changing a conversation through the API: one action call, timeline events, checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import Interaction

pytestmark = pytest.mark.django_db


def _events(conversation):
    return list(
        Interaction.objects.filter(conversation=conversation, kind="event")
        .order_by("id").values_list("event_type", "text")
    )


def test_patch_changes_everything_at_once_and_writes_timeline_events(
    conversation_a, client_for, lead, agent_a, team_b
):
    response = client_for(lead).patch(f"/api/v1/conversations/{conversation_a.pk}/", {
        "status": "pending", "assignee": agent_a.pk, "team": team_b.pk, "priority": 2,
        "tags": ["refund", "vip"],
    }, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["assignee"]["id"], body["team"]["id"], body["priority"],
            body["tags"]) == ("pending", agent_a.pk, team_b.pk, 2, ["refund", "vip"])
    assert _events(conversation_a) == [
        ("status_changed", "lead changed the status from open to pending"),
        ("assigned", "lead assigned the conversation to agent_a"),
        ("team_changed", "lead moved the conversation to Team B"),
        ("priority_changed", "lead set the priority to High"),
        ("tags_changed", "lead changed the tags, added refund, vip"),
    ]
    timeline = client_for(lead).get(f"/api/v1/conversations/{conversation_a.pk}/interactions/")
    last = timeline.json()["results"][-1]
    assert last["event_type"] == "tags_changed"
    assert last["author"] == {"type": "agent", "agent_id": lead.pk, "identity_id": None,
                              "name": "lead"}


def test_snooze_needs_a_time_and_keeps_it(conversation_a, client_for, agent_a):
    url = f"/api/v1/conversations/{conversation_a.pk}/"
    client = client_for(agent_a)
    refused = client.patch(url, {"status": "snoozed"}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"snoozed_until": ["Snoozing needs a time."]}
    until = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    response = client.patch(url, {"status": "snoozed", "snoozed_until": until.isoformat()},
                            format="json")
    assert response.status_code == 200
    conversation_a.refresh_from_db()
    assert (conversation_a.status, conversation_a.snoozed_until) == ("snoozed", until)


def test_unassign_and_unchanged_values_write_nothing(conversation_a, client_for, lead, agent_a):
    url = f"/api/v1/conversations/{conversation_a.pk}/"
    client = client_for(lead)
    client.patch(url, {"assignee": agent_a.pk}, format="json")
    client.patch(url, {"assignee": agent_a.pk, "status": "open"}, format="json")
    client.patch(url, {"assignee": None}, format="json")
    assert [e[0] for e in _events(conversation_a)] == ["assigned", "assigned"]
    conversation_a.refresh_from_db()
    assert conversation_a.assignee_id is None


@pytest.mark.parametrize("change,error", [
    ({"assignee": "outsider"}, {"assignee": ["User {outsider} is not an active agent."]}),
    ({"team": 999999}, {"team": ["There is no team 999999."]}),
    ({"status": "closed"}, {"status": ['"closed" is not a valid choice.']}),
    ({"priority": 7}, {"priority": ['"7" is not a valid choice.']}),
    ({}, {"non_field_errors": ["Nothing to change."]}),
])
def test_invalid_changes_are_400_and_change_nothing(change, error, conversation_a, client_for,
                                                    agent_a, outsider):
    if change.get("assignee") == "outsider":
        change = {"assignee": outsider.pk}
        error = {"assignee": [f"User {outsider.pk} is not an active agent."]}
    response = client_for(agent_a).patch(f"/api/v1/conversations/{conversation_a.pk}/", change,
                                         format="json")
    assert response.status_code == 400
    assert response.json() == error
    assert _events(conversation_a) == []


def test_note_is_recorded_and_never_queued(conversation_a, client_for, agent_a):
    response = client_for(agent_a).post(f"/api/v1/conversations/{conversation_a.pk}/notes/",
                                        {"text": "Customer is a VIP"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["channel"], body["direction"], body["text"], body["status"]) == (
        "note", "internal", "internal", "Customer is a VIP", "received")
    assert body["author"]["agent_id"] == agent_a.pk
    empty = client_for(agent_a).post(f"/api/v1/conversations/{conversation_a.pk}/notes/",
                                     {"text": "  "}, format="json")
    assert empty.status_code == 400
    assert empty.json() == {"text": ["A note needs some text."]}
