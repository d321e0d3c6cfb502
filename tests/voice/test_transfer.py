"""Cold transfer redirects the live call to another agent with new TwiML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlparse

import pytest

from conversations.models import Interaction
from tests.twilio import ACCOUNT_SID
from tests.twilio.signing import post_signed
from tests.voice.helpers import hook, payload

pytestmark = pytest.mark.django_db

SID = "CA4a1f2b3c4d5e6f708192a3b4c5d6e7f8"


@pytest.fixture
def live_call(web, twilio_inbox, online_agent_a):
    post_signed(web, hook("incoming"), payload("incoming_call"))
    post_signed(web, hook("status"), payload("status_in_progress"))
    return Interaction.objects.get(provider_id=SID)


def test_cold_transfer_to_another_agent(client_for, fake_twilio, live_call, online_agent_a, lead):
    response = client_for(online_agent_a).post(
        f"/voice/calls/{live_call.pk}/transfer/", {"agent_id": lead.pk}, format="json")
    assert response.status_code == 200, response.content
    [update] = [r for r in fake_twilio.requests if r.method == "POST"]
    assert urlparse(update.url).path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{SID}.json"
    root = ET.fromstring(update.data["Twiml"])  # noqa: S314
    assert [v.tag for v in root] == ["Say", "Dial"]
    assert [c.findtext("Identity") for c in root[1].findall("Client")] == ["lead"]
    assert root[1].get("action").startswith("http://testserver/webhooks/twilio/voice/dial/")
    live_call.refresh_from_db()
    [transfer] = live_call.meta["transfers"]
    assert (transfer["kind"], transfer["by"], transfer["to_agent"]) == (
        "cold", online_agent_a.pk, lead.pk)
    assert live_call.meta["offered_to"] == [online_agent_a.pk, lead.pk]
    event = Interaction.objects.get(event_type="call_transferred")
    assert event.text == "agent_a transferred the call to lead"


def test_cold_transfer_to_a_team_rings_its_online_agents(
    client_for, fake_twilio, live_call, online_agent_a, agent_b, team_b
):
    agent_b.agent.presence = "online"
    agent_b.agent.save()
    response = client_for(online_agent_a).post(
        f"/voice/calls/{live_call.pk}/transfer/", {"team_id": team_b.pk}, format="json")
    assert response.status_code == 200
    [update] = [r for r in fake_twilio.requests if r.method == "POST"]
    root = ET.fromstring(update.data["Twiml"])  # noqa: S314
    assert [c.findtext("Identity") for c in root.find("Dial").findall("Client")] == ["agent_b"]


def test_an_ended_call_cannot_be_transferred(client_for, fake_twilio, web, live_call,
                                             online_agent_a, lead):
    post_signed(web, hook("status"), payload("status_completed"))
    response = client_for(online_agent_a).post(
        f"/voice/calls/{live_call.pk}/transfer/", {"agent_id": lead.pk}, format="json")
    assert response.status_code == 409
    assert fake_twilio.requests == []


def test_agents_of_another_team_cannot_transfer_the_call(client_for, fake_twilio, live_call,
                                                         agent_b, lead):
    response = client_for(agent_b).post(
        f"/voice/calls/{live_call.pk}/transfer/", {"agent_id": lead.pk}, format="json")
    assert response.status_code == 404
    assert fake_twilio.requests == []
