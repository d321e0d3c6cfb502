"""Warm transfer: caller and agent move into a conference, the target is called in, the
first agent leaves; each step is on the conversation's timeline."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings as django_settings

from conversations.models import Interaction
from tests.twilio import ACCOUNT_SID
from tests.twilio.signing import post_signed
from tests.voice.helpers import hook, payload, twiml, verbs

pytestmark = pytest.mark.django_db

SID = "CA4a1f2b3c4d5e6f708192a3b4c5d6e7f8"
LEG = "CA9e8d7c6b5a49382716f5e4d3c2b1a0f9"
CALLS = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Calls"


@pytest.fixture
def taken_call(web, twilio_inbox, online_agent_a):
    """A queued call that agent_a took out of the queue (their leg is LEG)."""
    post_signed(web, hook("incoming"), payload("incoming_call"))
    post_signed(web, hook("status"), payload("status_in_progress"))
    call = Interaction.objects.get(provider_id=SID)
    joined = hook("agent-joined", twilio_inbox, call=call.pk, agent=online_agent_a.pk)
    post_signed(web, joined, payload("queue_agent_joined"))
    leg_hook = hook("agent", twilio_inbox, call=call.pk, agent=online_agent_a.pk)
    post_signed(web, leg_hook, payload("offer_leg_answered"))
    call.refresh_from_db()
    return call


def _conference(xml):
    root = ET.fromstring(xml)  # noqa: S314  (our own TwiML)
    assert [v.tag for v in root] == ["Dial"]
    [conference] = root[0].findall("Conference")
    return conference


def _warm(client_for, user, call, **data):
    return client_for(user).post(f"/voice/calls/{call.pk}/transfer/",
                                 {"mode": "warm", **data}, format="json")


def test_warm_transfer_moves_agent_and_caller_into_a_conference_and_calls_the_target(
    client_for, fake_twilio, taken_call, online_agent_a, lead
):
    response = _warm(client_for, online_agent_a, taken_call, agent_id=lead.pk)
    assert response.status_code == 200, response.content
    agent_move, caller_move, target = [r for r in fake_twilio.requests if r.method == "POST"]
    assert agent_move.url == f"{CALLS}/{LEG}.json"  # the agent first: see warm.py
    mine = _conference(agent_move.data["Twiml"])
    assert mine.text == f"call-{taken_call.pk}"
    assert (mine.get("startConferenceOnEnter"), mine.get("endConferenceOnExit")) == (
        "true", "false")
    assert caller_move.url == f"{CALLS}/{SID}.json"
    theirs = _conference(caller_move.data["Twiml"])
    assert theirs.text == f"call-{taken_call.pk}"
    assert (theirs.get("startConferenceOnEnter"), theirs.get("endConferenceOnExit")) == (
        "false", "true")
    # Alone in the conference, the caller hears music.
    assert theirs.get("waitUrl") == django_settings.OMNIDESK_VOICE_HOLD_MUSIC_URL
    assert target.url == f"{CALLS}.json"
    assert target.data["To"] == "client:lead"
    assert target.data["From"] == "+15005550006"
    assert parse_qs(urlparse(target.data["Url"]).query) == {
        "inbox": ["support-line"], "call": [str(taken_call.pk)], "agent": [str(lead.pk)]}
    assert urlparse(target.data["Url"]).path == "/webhooks/twilio/voice/conference/"
    assert parse_qs(urlparse(target.data["StatusCallback"]).query)["transfer"] == ["1"]
    taken_call.refresh_from_db()
    warm = taken_call.meta["warm"]
    assert (warm["status"], warm["by"], warm["to_agent"], warm["from_leg"]) == (
        "started", online_agent_a.pk, lead.pk, LEG)
    assert warm["to_leg"].startswith("CA")
    events = Interaction.objects.filter(event_type="call_transferred").order_by("id")
    assert [e.text for e in events] == ["agent_a started a warm transfer to lead"]


def test_the_targets_leg_and_the_caller_leaving_the_queue_both_join_the_conference(
    client_for, fake_twilio, web, twilio_inbox, taken_call, online_agent_a, lead
):
    _warm(client_for, online_agent_a, taken_call, agent_id=lead.pk)
    joining = hook("conference", twilio_inbox, call=taken_call.pk, agent=lead.pk)
    root = twiml(post_signed(web, joining, payload("offer_leg_answered")))
    assert root.find("Dial/Conference").text == f"call-{taken_call.pk}"
    after = hook("after-queue", twilio_inbox, call=taken_call.pk)
    root = twiml(post_signed(web, after, payload("queue_bridged")))
    assert verbs(root) == ["Dial"]
    assert root.find("Dial/Conference").get("endConferenceOnExit") == "true"


def test_completing_waits_for_the_target_then_hangs_up_the_first_agent(
    client_for, fake_twilio, web, twilio_inbox, taken_call, online_agent_a, lead
):
    _warm(client_for, online_agent_a, taken_call, agent_id=lead.pk)
    complete = f"/voice/calls/{taken_call.pk}/transfer/complete/"
    early = client_for(online_agent_a).post(complete, {}, format="json")
    assert early.status_code == 409
    assert early.json()["error"] == "The agent you transfer to has not joined yet."
    taken_call.refresh_from_db()
    to_leg = taken_call.meta["warm"]["to_leg"]
    leg_hook = hook("agent", twilio_inbox, call=taken_call.pk, agent=lead.pk, transfer=1)
    post_signed(web, leg_hook, payload("offer_leg_answered", CallSid=to_leg, To="client:lead",
                                       Timestamp="Tue, 14 Oct 2025 09:13:05 +0000"))
    fake_twilio.requests.clear()
    response = client_for(online_agent_a).post(complete, {}, format="json")
    assert response.status_code == 200, response.content
    [hangup] = fake_twilio.requests
    assert (hangup.url, hangup.data) == (f"{CALLS}/{LEG}.json", {"Status": "completed"})
    taken_call.refresh_from_db()
    assert taken_call.meta["warm"]["status"] == "completed"
    assert taken_call.meta["answered_by"] == {"id": online_agent_a.pk, "username": "agent_a"}
    assert "offer" not in taken_call.meta["legs"][to_leg]  # the target's talk time counts
    assert taken_call.conversation.assignee == lead
    events = Interaction.objects.filter(event_type="call_transferred").order_by("id")
    assert [e.text for e in events] == ["agent_a started a warm transfer to lead",
                                        "warm transfer from agent_a to lead"]


def test_a_call_not_taken_from_the_queue_cannot_be_warm_transferred(
    client_for, fake_twilio, web, twilio_inbox, online_agent_a, lead
):
    post_signed(web, hook("incoming"), payload("incoming_call"))
    call = Interaction.objects.get(provider_id=SID)
    response = _warm(client_for, online_agent_a, call, agent_id=lead.pk)
    assert response.status_code == 409
    assert fake_twilio.requests == []
    assert not Interaction.objects.filter(event_type="call_transferred").exists()


def test_a_warm_transfer_goes_to_one_agent_not_a_team(
    client_for, fake_twilio, taken_call, online_agent_a, team_a
):
    response = _warm(client_for, online_agent_a, taken_call, team_id=team_a.pk)
    assert response.status_code == 400
    assert fake_twilio.requests == []
