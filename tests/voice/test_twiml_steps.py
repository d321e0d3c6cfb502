"""Each step of the caller's path answers with TwiML that parses and holds the right verbs."""

from __future__ import annotations

import pytest

from agents.models import Presence
from conversations.models import Interaction, Priority
from tests.twilio.signing import post_signed
from tests.voice.helpers import assert_voicemail_offer, hook, payload, twiml, verbs

pytestmark = pytest.mark.django_db

SID = "CA4a1f2b3c4d5e6f708192a3b4c5d6e7f8"
MENU = {"prompt": "For support press 1. For billing press 3.",
        "options": {"1": {"team": "team-a", "label": "support"},
                    "3": {"team": "team-b", "label": "billing", "keywords": ["invoice"]}}}


def _configure(inbox, **voice):
    inbox.config = {**inbox.config, "voice": voice}
    inbox.save()


def _call_in(web, inbox):
    return twiml(post_signed(web, hook("incoming"), payload("incoming_call")))


def _online(user):
    user.agent.presence = Presence.ONLINE
    user.agent.save()


def _queued_for(root, call):
    """The caller holds in the call's own queue, with our hold and after-queue steps."""
    [enqueue] = root.findall("Enqueue")
    assert enqueue.text == f"call-{call.pk}"
    assert enqueue.get("waitUrl") == (
        f"http://testserver/webhooks/twilio/voice/hold/?inbox=support-line&call={call.pk}")
    assert enqueue.get("action").startswith(
        f"http://testserver/webhooks/twilio/voice/after-queue/?inbox=support-line&call={call.pk}")
    return enqueue


def test_in_hours_without_menu_greets_then_queues_the_caller_for_online_agents(
    web, twilio_inbox, online_agent_a, agent_b, team_a
):
    _configure(twilio_inbox, greeting="Welcome to Acme.", ring_timeout=20)
    root = _call_in(web, twilio_inbox)
    assert verbs(root) == ["Say", "Enqueue"]
    assert root[0].text == "Welcome to Acme."
    call = Interaction.objects.get(provider_id=SID)
    enqueue = _queued_for(root, call)
    assert enqueue.get("action").endswith(f"&team={team_a.pk}")
    assert call.meta["offered_to"] == [online_agent_a.pk]  # agent_b: other team
    assert call.meta["queue"] == f"call-{call.pk}"


def test_agent_with_a_phone_in_their_profile_is_offered_the_call_there(
    web, fake_twilio, twilio_inbox, online_agent_a
):
    from channels_voice.legs import place_offer_legs

    online_agent_a.agent.phone = "+14155550111"
    online_agent_a.agent.save()
    _call_in(web, twilio_inbox)
    call = Interaction.objects.get(provider_id=SID)
    [leg_sid] = place_offer_legs(call, [online_agent_a.pk])
    [sent] = fake_twilio.calls_created()
    assert sent.data["To"] == "+14155550111"
    call.refresh_from_db()
    assert call.meta["legs"][leg_sid]["agent_id"] == online_agent_a.pk


def test_greeting_can_be_a_recording(web, twilio_inbox, online_agent_a):
    _configure(twilio_inbox, greeting_url="https://cdn.example.com/hello.mp3")
    root = _call_in(web, twilio_inbox)
    assert verbs(root) == ["Play", "Enqueue"]
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
    root = twiml(post_signed(web, hook("menu", twilio_inbox, attempt=1),
                             payload("gather_digits", Digits="3")))
    assert verbs(root) == ["Enqueue"]
    call = Interaction.objects.get(provider_id=SID)
    team_b = agent_b.agent.teams.get()
    assert _queued_for(root, call).get("action").endswith(f"&team={team_b.pk}")
    assert call.meta["offered_to"] == [agent_b.pk]
    assert call.meta["team_id"] == team_b.pk
    assert call.meta["menu_choice"] == "3"
    # The conversation is the chosen team's, so the rung agent may open the caller's history.
    call.conversation.refresh_from_db()
    assert call.conversation.team_id == team_b.pk


def test_menu_speech_matches_a_label_or_keyword(web, twilio_inbox, online_agent_a, agent_b):
    _online(agent_b)
    _configure(twilio_inbox, menu=MENU)
    _call_in(web, twilio_inbox)
    root = twiml(post_signed(web, hook("menu", twilio_inbox, attempt=1), payload("gather_speech")))
    assert verbs(root) == ["Enqueue"]
    assert Interaction.objects.get(provider_id=SID).meta["offered_to"] == [agent_b.pk]


def test_unknown_choice_asks_again_then_no_input_goes_to_the_inbox_team(
    web, twilio_inbox, online_agent_a
):
    _configure(twilio_inbox, menu=MENU)
    _call_in(web, twilio_inbox)
    again = twiml(post_signed(web, hook("menu", twilio_inbox, attempt=1),
                              payload("gather_digits", Digits="7")))
    assert verbs(again) == ["Say", "Gather", "Redirect"]
    assert again[1].get("action").endswith("attempt=2")
    no_input = twiml(post_signed(web, hook("menu", twilio_inbox, attempt=2, choice="none"),
                                 payload("gather_digits", Digits="")))
    assert verbs(no_input) == ["Enqueue"]
    assert Interaction.objects.get(provider_id=SID).meta["offered_to"] == [online_agent_a.pk]


def test_nobody_online_rings_the_team_fallback_number(web, twilio_inbox, agent_a):
    _configure(twilio_inbox, fallback_numbers={"team-a": "+14155550999"})
    root = _call_in(web, twilio_inbox)
    assert verbs(root) == ["Say", "Dial"]
    assert [n.text for n in root[1].findall("Number")] == ["+14155550999"]
    assert Interaction.objects.get(provider_id=SID).meta["fallback"] == "+14155550999"


def test_nobody_online_and_no_fallback_offers_voicemail_or_a_callback(web, twilio_inbox, agent_a):
    root = _call_in(web, twilio_inbox)
    assert root[0].tag == "Say"
    assert_voicemail_offer(root, twilio_inbox, offset=1)


def test_out_of_hours_says_closed_then_offers_voicemail_or_a_callback(
    web, twilio_inbox, online_agent_a
):
    _configure(twilio_inbox, closed_greeting="We are closed.",
               hours={"timezone": "Europe/Berlin", "weekly": {}})
    root = _call_in(web, twilio_inbox)
    assert root[0].text == "We are closed."
    assert_voicemail_offer(root, twilio_inbox, offset=1)
    assert "offered_to" not in Interaction.objects.get(provider_id=SID).meta


def test_no_answer_at_the_fallback_number_offers_voicemail_or_a_callback(
    web, twilio_inbox, agent_a
):
    _configure(twilio_inbox, fallback_number="+14155550999")
    _call_in(web, twilio_inbox)
    dial = hook("dial", twilio_inbox, team=agent_a.agent.teams.get().pk)
    root = twiml(post_signed(web, dial, payload("dial_no_answer")))
    assert_voicemail_offer(root, twilio_inbox)
    assert Interaction.objects.get(provider_id=SID).meta["dial_status"] == "no-answer"


def test_answered_and_finished_dial_hangs_up(web, twilio_inbox, online_agent_a):
    _call_in(web, twilio_inbox)
    root = twiml(post_signed(web, hook("dial", twilio_inbox), payload("dial_completed")))
    assert verbs(root) == ["Hangup"]


def test_press_1_records_a_voicemail_with_transcription(web, twilio_inbox, agent_a):
    _call_in(web, twilio_inbox)
    after = hook("after", twilio_inbox)
    root = twiml(post_signed(web, after, payload("gather_digits", Digits="1")))
    assert verbs(root) == ["Say", "Record", "Say", "Hangup"]
    assert root[1].get("transcribe") == "true"
    done = twiml(post_signed(web, hook("recorded", twilio_inbox), payload("record_action")))
    assert verbs(done) == ["Say", "Hangup"]
    call = Interaction.objects.get(provider_id=SID)
    assert call.meta["voicemail"] is True
    assert call.meta["outcome"] == "voicemail"


def test_press_2_requests_a_callback_in_the_team_queue(web, twilio_inbox, agent_a, team_a):
    _call_in(web, twilio_inbox)
    for _ in range(2):  # a repeated request marks it once
        root = twiml(post_signed(web, hook("after", twilio_inbox, team=team_a.pk),
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
