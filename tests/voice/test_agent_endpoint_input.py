"""Bad input to the agents' voice endpoints is a 400 that names the field, never a 500."""

from __future__ import annotations

import pytest

from conversations.models import Interaction
from tests.twilio.signing import post_signed
from tests.voice.helpers import hook, payload

pytestmark = pytest.mark.django_db

SID = "CA4a1f2b3c4d5e6f708192a3b4c5d6e7f8"


@pytest.fixture
def live_call(web, twilio_inbox, online_agent_a):
    post_signed(web, hook("incoming"), payload("incoming_call"))
    post_signed(web, hook("status"), payload("status_in_progress"))
    return Interaction.objects.get(provider_id=SID)


@pytest.mark.parametrize(("body", "field"), [
    ({"agent_id": "abc"}, "agent_id"),
    ({"team_id": [1]}, "team_id"),
    ({"agent_id": {"id": 1}}, "agent_id"),
    ({"team_id": 2**70}, "team_id"),
    ({"mode": ["warm"], "agent_id": 1}, "mode"),
])
def test_transfer_with_a_malformed_field_is_a_400_naming_it(
    client_for, fake_twilio, live_call, online_agent_a, body, field
):
    response = client_for(online_agent_a).post(
        f"/voice/calls/{live_call.pk}/transfer/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"].startswith(f"{field}: ")
    assert fake_twilio.requests == []


@pytest.mark.parametrize(("body", "field"), [
    ({"customer_id": "abc"}, "customer_id"),
    ({"customer_id": [1]}, "customer_id"),
    ({"conversation_id": {"id": 1}}, "conversation_id"),
    ({"conversation_id": 2**70}, "conversation_id"),
    ({"customer_id": 1, "to": ["+14155550134"]}, "to"),
])
def test_click_to_call_with_a_malformed_field_is_a_400_naming_it(
    client_for, fake_twilio, twilio_inbox, agent_a, body, field
):
    response = client_for(agent_a).post("/voice/calls/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"].startswith(f"{field}: ")
    assert fake_twilio.requests == []
