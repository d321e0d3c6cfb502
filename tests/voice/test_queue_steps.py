"""The queue's own steps: hold music until the timeout, the caller leaving the queue, an
offered agent's leg dialling the queue, and the caller being bridged to that agent."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from conversations.models import Interaction
from tests.twilio.signing import post_signed
from tests.voice.helpers import assert_voicemail_offer, hook, payload, twiml, verbs

pytestmark = pytest.mark.django_db

SID = "CA4a1f2b3c4d5e6f708192a3b4c5d6e7f8"
LEG = "CA9e8d7c6b5a49382716f5e4d3c2b1a0f9"


def _configure(inbox, **voice):
    inbox.config = {**inbox.config, "voice": voice}
    inbox.save()


@pytest.fixture
def queued_call(web, twilio_inbox, online_agent_a):
    root = twiml(post_signed(web, hook("incoming"), payload("incoming_call")))
    assert verbs(root) == ["Say", "Enqueue"]
    return Interaction.objects.get(provider_id=SID)


def _hold(web, inbox, call, queue_time):
    return twiml(post_signed(web, hook("hold", inbox, call=call.pk),
                             payload("queue_wait", QueueTime=str(queue_time))))


def test_hold_says_the_message_and_plays_music_until_the_ring_timeout(
    web, twilio_inbox, queued_call
):
    _configure(twilio_inbox, ring_timeout=20)
    for queue_time in (0, 19):
        root = _hold(web, twilio_inbox, queued_call, queue_time)
        assert verbs(root) == ["Say", "Play"]
        assert root[0].text == "Thank you for holding. An agent will be with you shortly."
        assert root[1].text == django_settings.OMNIDESK_VOICE_HOLD_MUSIC_URL
        assert root[1].get("loop") == "1"  # so that Twilio comes back with QueueTime
    assert verbs(_hold(web, twilio_inbox, queued_call, 20)) == ["Leave"]


def test_hold_music_and_message_can_be_the_inboxes_own(web, twilio_inbox, queued_call):
    _configure(twilio_inbox, hold_music_url="https://cdn.example.com/hold.mp3",
               hold_message="Hang on!")
    root = _hold(web, twilio_inbox, queued_call, 3)
    assert (root[0].text, root[1].text) == ("Hang on!", "https://cdn.example.com/hold.mp3")


def test_queue_timeout_offers_voicemail_or_a_callback(web, twilio_inbox, queued_call, team_a):
    after = hook("after-queue", twilio_inbox, call=queued_call.pk, team=team_a.pk)
    root = twiml(post_signed(web, after, payload("queue_left")))
    assert_voicemail_offer(root, twilio_inbox)
    assert root[0].get("action").endswith(f"team={team_a.pk}")  # a callback lands in team A
    queued_call.refresh_from_db()
    assert (queued_call.meta["queue_result"], queued_call.meta["queue_seconds"]) == ("leave", 26)
    # Then press 1: the voicemail is recorded as before.
    done = twiml(post_signed(web, hook("recorded", twilio_inbox), payload("record_action")))
    assert verbs(done) == ["Say", "Hangup"]
    queued_call.refresh_from_db()
    assert queued_call.meta["outcome"] == "voicemail"


def test_caller_hanging_up_in_the_queue_ends_quietly(web, twilio_inbox, queued_call):
    after = hook("after-queue", twilio_inbox, call=queued_call.pk)
    assert verbs(twiml(post_signed(web, after, payload("queue_hangup")))) == ["Hangup"]
    queued_call.refresh_from_db()
    assert queued_call.meta["queue_result"] == "hangup"
    post_signed(web, hook("status"), payload("status_completed"))
    queued_call.refresh_from_db()
    assert queued_call.meta["outcome"] == "missed"


def test_after_talking_to_the_agent_the_caller_is_hung_up(web, twilio_inbox, queued_call):
    after = hook("after-queue", twilio_inbox, call=queued_call.pk)
    assert verbs(twiml(post_signed(web, after, payload("queue_bridged")))) == ["Hangup"]


def test_bridge_dials_the_calls_queue_for_the_answering_agent(
    web, twilio_inbox, queued_call, online_agent_a
):
    bridge = hook("bridge", twilio_inbox, call=queued_call.pk, agent=online_agent_a.pk)
    root = twiml(post_signed(web, bridge, payload("offer_leg_answered")))
    assert verbs(root) == ["Dial", "Hangup"]
    dial = root[0]
    assert dial.get("timeout") == "5"
    [queue] = dial.findall("Queue")
    assert queue.text == f"call-{queued_call.pk}"
    assert queue.get("url") == (
        "http://testserver/webhooks/twilio/voice/agent-joined/"
        f"?inbox=support-line&call={queued_call.pk}&agent={online_agent_a.pk}")


def test_bridge_with_recording_records_on_the_agents_leg(
    web, twilio_inbox, queued_call, online_agent_a
):
    _configure(twilio_inbox, record_calls=True)
    bridge = hook("bridge", twilio_inbox, call=queued_call.pk, agent=online_agent_a.pk)
    dial = twiml(post_signed(web, bridge, payload("offer_leg_answered")))[0]
    assert dial.get("record") == "record-from-answer-dual"
    assert dial.get("recordingStatusCallback") == (
        f"http://testserver/webhooks/twilio/voice/recording/?inbox=support-line&call={queued_call.pk}")


def test_agent_joined_gives_the_call_to_that_agent(web, twilio_inbox, queued_call, online_agent_a):
    joined = hook("agent-joined", twilio_inbox, call=queued_call.pk, agent=online_agent_a.pk)
    for _ in range(2):  # a repeat changes nothing
        root = twiml(post_signed(web, joined, payload("queue_agent_joined")))
        assert verbs(root) == []
    queued_call.refresh_from_db()
    leg = queued_call.meta["legs"][LEG]
    assert (leg["bridged"], leg["offer"], leg["agent_id"]) == (True, True, online_agent_a.pk)
    assert queued_call.meta["answered_by"] == {"id": online_agent_a.pk, "username": "agent_a"}
    assert queued_call.meta["queue_seconds"] == 23
    assert queued_call.conversation.assignee == online_agent_a


def test_an_agent_answering_after_a_colleague_is_told_and_hung_up(
    web, twilio_inbox, queued_call, online_agent_a, online_agent_c
):
    joined = hook("agent-joined", twilio_inbox, call=queued_call.pk, agent=online_agent_a.pk)
    post_signed(web, joined, payload("queue_agent_joined"))
    late = hook("bridge", twilio_inbox, call=queued_call.pk, agent=online_agent_c.pk)
    root = twiml(post_signed(web, late, payload("offer_leg_answered", CallSid="CA" + "7" * 32)))
    assert verbs(root) == ["Say", "Hangup"]
    assert root[0].text == "This call has already been answered or ended."


def test_an_offer_leg_answering_does_not_take_the_call_before_the_bridge(
    web, twilio_inbox, queued_call, online_agent_a
):
    leg_hook = hook("agent", twilio_inbox, call=queued_call.pk, agent=online_agent_a.pk)
    post_signed(web, leg_hook, payload("offer_leg_answered"))
    queued_call.refresh_from_db()
    assert queued_call.meta["legs"][LEG]["offer"] is True
    assert "answered_by" not in queued_call.meta
    assert queued_call.conversation.assignee is None
