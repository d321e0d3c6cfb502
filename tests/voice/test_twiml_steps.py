"""Each step of the caller's path answers with TwiML that parses and holds the right verbs."""

from __future__ import annotations

import pytest

from agents.models import Presence
from conversations.models import Interaction, Priority
from tests.voice.helpers import hook, payload, signed_post, twiml, verbs

pytestmark = pytest.mark.django_db

SID = "CA4a1f2b3c4d5e6f708192a3b4c5d6e7f8"
MENU = {"prompt": "For support press 1. For billing press 3.",
        "options": {"1": {"team": "team-a", "label": "support"},
                    "3": {"team": "team-b", "label": "billing", "keywords": ["invoice"]}}}


def _configure(inbox, **voice):
    inbox.config = {**inbox.config, "voice": voice}
    inbox.save()


def _call_in(web, inbox):
    return twiml(signed_post(web, hook("incoming"), payload("incoming_call")))


def _online(user):
    user.agent.presence = Presence.ONLINE
    user.agent.save()


def test_in_hours_without_menu_greets_then_rings_online_agents_in_the_browser(
    web, twilio_inbox, online_agent_a, agent_b
):
    _configure(twilio_inbox, greeting="Welcome to Acme.", ring_timeout=20)
    root = _call_in(web, twilio_inbox)
    assert verbs(root) == ["Say", "Dial"]
    assert root[0].text == "Welcome to Acme."
    dial = root[1]
    assert dial.get("timeout") == "20"
    assert dial.get("action").startswith("http://testserver/webhooks/twilio/voice/dial/?inbox=support-line")
    clients = dial.findall("Client")
    assert [c.findtext("Identity") for c in clients] == ["agent_a"]  # agent_b: other team
    assert clients[0].get("statusCallback").endswith(f"agent={online_agent_a.pk}")
    call = Interaction.objects.get(provider_id=SID)
    assert clients[0].find("Parameter").attrib == {
        "name": "conversation_id", "value": str(call.conversation_id)}
    assert call.meta["offered_to"] == [online_agent_a.pk]


def test_agent_with_a_phone_in_their_profile_is_rung_there(web, twilio_inbox, online_agent_a):
    online_agent_a.agent.phone = "+14155550111"
    online_agent_a.agent.save()
    root = _call_in(web, twilio_inbox)
    assert [n.text for n in root.find("Dial").findall("Number")] == ["+14155550111"]
    assert root.find("Dial").findall("Client") == []


def test_greeting_can_be_a_recording(web, twilio_inbox, online_agent_a):
    _configure(twilio_inbox, greeting_url="https://cdn.example.com/hello.mp3")
    root = _call_in(web, twilio_inbox)
    assert verbs(root) == ["Play", "Dial"]
    assert root[0].text == "https://cdn.example.com/hello.mp3"


def test_menu_gathers_digits_or_speech(web, twilio_inbox, online_agent_a):
    _configure(twilio_inbox, greeting="Welcome.", menu=MENU)
    root = _call_in(web, twilio_inbox)
    assert verbs(root) == ["Say", "Gather", "Redirect"]
    gather = root[1]
    assert gather.get("input") == "dtmf speech"
    assert gather.get("numDigits") == "1"
    assert gather.get("action") == "http://testserver/webhooks/twilio/voice/menu/?inbox=support-line&attempt=1"
    assert gather.findtext("Say") == "For support press 1. For billing press 3."
    assert "choice=none" in root[2].text


def test_menu_digit_sends_the_call_to_that_team(web, twilio_inbox, online_agent_a, agent_b):
    _online(agent_b)
    _configure(twilio_inbox, menu=MENU)
    _call_in(web, twilio_inbox)
    root = twiml(signed_post(web, hook("menu", twilio_inbox, attempt=1),
                             payload("gather_digits", Digits="3")))
    assert verbs(root) == ["Dial"]
    assert [c.findtext("Identity") for c in root[0].findall("Client")] == ["agent_b"]
    call = Interaction.objects.get(provider_id=SID)
    assert call.meta["team_id"] == agent_b.agent.teams.get().pk
    assert call.meta["menu_choice"] == "3"


def test_menu_speech_matches_a_label_or_keyword(web, twilio_inbox, online_agent_a, agent_b):
    _online(agent_b)
    _configure(twilio_inbox, menu=MENU)
    _call_in(web, twilio_inbox)
    root = twiml(signed_post(web, hook("menu", twilio_inbox, attempt=1), payload("gather_speech")))
    assert [c.findtext("Identity") for c in root.find("Dial").findall("Client")] == ["agent_b"]


def test_unknown_choice_asks_again_then_no_input_goes_to_the_inbox_team(
    web, twilio_inbox, online_agent_a
):
    _configure(twilio_inbox, menu=MENU)
    _call_in(web, twilio_inbox)
    again = twiml(signed_post(web, hook("menu", twilio_inbox, attempt=1),
                              payload("gather_digits", Digits="7")))
    assert verbs(again) == ["Say", "Gather", "Redirect"]
    assert again[1].get("action").endswith("attempt=2")
    no_input = twiml(signed_post(web, hook("menu", twilio_inbox, attempt=2, choice="none"),
                                 payload("gather_digits", Digits="")))
    assert [c.findtext("Identity") for c in no_input.find("Dial").findall("Client")] == ["agent_a"]


def test_nobody_online_rings_the_team_fallback_number(web, twilio_inbox, agent_a):
    _configure(twilio_inbox, fallback_numbers={"team-a": "+14155550999"})
    root = _call_in(web, twilio_inbox)
    assert verbs(root) == ["Say", "Dial"]
    assert [n.text for n in root[1].findall("Number")] == ["+14155550999"]
    assert Interaction.objects.get(provider_id=SID).meta["fallback"] == "+14155550999"


def _assert_voicemail_offer(root, inbox, offset=0):
    assert verbs(root)[offset:] == ["Gather", "Say", "Record", "Say", "Hangup"]
    gather = root[offset]
    assert gather.get("action").startswith(
        "http://testserver/webhooks/twilio/voice/after/?inbox=support-line")
    assert "press 2 and we will call you back" in gather.findtext("Say")
    record = root[offset + 2]
    assert record.get("transcribe") == "true"
    assert record.get("transcribeCallback") == (
        "http://testserver/webhooks/twilio/voice/transcription/?inbox=support-line")
    assert record.get("recordingStatusCallback") == (
        "http://testserver/webhooks/twilio/voice/recording/?inbox=support-line")
    assert record.get("action").startswith("http://testserver/webhooks/twilio/voice/recorded/")


def test_nobody_online_and_no_fallback_offers_voicemail_or_a_callback(web, twilio_inbox, agent_a):
    root = _call_in(web, twilio_inbox)
    assert root[0].tag == "Say"
    _assert_voicemail_offer(root, twilio_inbox, offset=1)


def test_out_of_hours_says_closed_then_offers_voicemail_or_a_callback(
    web, twilio_inbox, online_agent_a
):
    _configure(twilio_inbox, closed_greeting="We are closed.",
               hours={"timezone": "Europe/Berlin", "weekly": {}})
    root = _call_in(web, twilio_inbox)
    assert root[0].text == "We are closed."
    _assert_voicemail_offer(root, twilio_inbox, offset=1)
    assert "offered_to" not in Interaction.objects.get(provider_id=SID).meta


def test_no_answer_from_agents_offers_voicemail_or_a_callback(web, twilio_inbox, online_agent_a):
    _call_in(web, twilio_inbox)
    dial = hook("dial", twilio_inbox, team=online_agent_a.agent.teams.get().pk)
    root = twiml(signed_post(web, dial, payload("dial_no_answer")))
    _assert_voicemail_offer(root, twilio_inbox)
    assert Interaction.objects.get(provider_id=SID).meta["dial_status"] == "no-answer"


def test_answered_and_finished_dial_hangs_up(web, twilio_inbox, online_agent_a):
    _call_in(web, twilio_inbox)
    root = twiml(signed_post(web, hook("dial", twilio_inbox), payload("dial_completed")))
    assert verbs(root) == ["Hangup"]


def test_press_1_records_a_voicemail_with_transcription(web, twilio_inbox, agent_a):
    _call_in(web, twilio_inbox)
    after = hook("after", twilio_inbox)
    root = twiml(signed_post(web, after, payload("gather_digits", Digits="1")))
    assert verbs(root) == ["Say", "Record", "Say", "Hangup"]
    assert root[1].get("transcribe") == "true"
    done = twiml(signed_post(web, hook("recorded", twilio_inbox), payload("record_action")))
    assert verbs(done) == ["Say", "Hangup"]
    call = Interaction.objects.get(provider_id=SID)
    assert call.meta["voicemail"] is True
    assert call.meta["outcome"] == "voicemail"


def test_press_2_requests_a_callback_in_the_team_queue(web, twilio_inbox, agent_a, team_a):
    _call_in(web, twilio_inbox)
    for _ in range(2):  # a repeated request marks it once
        root = twiml(signed_post(web, hook("after", twilio_inbox, team=team_a.pk),
                                 payload("gather_digits", Digits="2")))
        assert verbs(root) == ["Say", "Hangup"]
        assert "call you back" in root[0].text
    call = Interaction.objects.get(provider_id=SID)
    conversation = call.conversation
    assert conversation.tags == ["callback-requested"]
    assert conversation.priority == Priority.HIGH
    assert conversation.team == team_a
    assert call.meta["callback_requested"] is True
    assert call.meta["callback_number"] == "+14155550134"
    assert call.meta["outcome"] == "callback-requested"
    requests = Interaction.objects.filter(conversation=conversation,
                                          event_type="callback_requested")
    assert [r.text for r in requests] == ["The caller asked to be called back at +14155550134"]


def test_callback_disabled_goes_straight_to_voicemail(web, twilio_inbox, agent_a):
    _configure(twilio_inbox, offer_callback=False)
    root = _call_in(web, twilio_inbox)
    assert verbs(root) == ["Say", "Say", "Record", "Say", "Hangup"]
