"""A call's callbacks, shuffled and repeated, complete exactly one call interaction."""

from __future__ import annotations

import random

import pytest

from channels_voice.models import PendingCallEvent
from conversations.models import Attachment, Interaction
from tests.twilio.signing import post_signed
from tests.voice.helpers import AUDIO, hook, payload
from tests.waiting import wait_for

PARENT = "CA4a1f2b3c4d5e6f708192a3b4c5d6e7f8"
LEG = "CA9e8d7c6b5a49382716f5e4d3c2b1a0f9"
REC = "RE3b2a1c0d9e8f7a6b5c4d3e2f1a0b9c8d"
TRANSCRIPT = "Hi, this is Dana about order 1042, please call me back."


def _voicemail_lifecycle(inbox, agent_id):
    """Everything Twilio sends after the first webhook for a call nobody answered, in
    which the caller left a voicemail."""
    missed_leg = payload("agent_leg_completed", CallStatus="no-answer", CallDuration="0")
    return [
        (hook("status"), payload("status_ringing")),
        (hook("status"), payload("status_in_progress")),
        (hook("agent", inbox, agent=agent_id), payload("agent_leg_ringing")),
        (hook("agent", inbox, agent=agent_id), missed_leg),
        (hook("dial", inbox), payload("dial_no_answer")),
        (hook("after", inbox), payload("gather_digits", Digits="1")),
        (hook("recorded", inbox), payload("record_action")),
        (hook("status"), payload("status_completed")),
        (hook("recording", inbox), payload("recording_completed")),
        (hook("transcription", inbox), payload("transcription_completed")),
    ]


def _send_all(web, requests):
    for path, params in requests:
        response = post_signed(web, path, params)
        assert response.status_code == 200, (path, response.content)


@pytest.mark.slow
def test_shuffled_repeated_lifecycle_gives_one_call_with_recording_and_transcript(
    celery_worker, fake_twilio, web, twilio_inbox, online_agent_a
):
    fake_twilio.add_recording(REC, AUDIO)
    post_signed(web, hook("incoming"), payload("incoming_call"))
    requests = _voicemail_lifecycle(twilio_inbox, online_agent_a.pk) * 2
    random.Random(20251014).shuffle(requests)
    _send_all(web, requests)

    def stored() -> Attachment | None:
        return Attachment.objects.filter(interaction__provider_id=PARENT).first()

    attachment = wait_for(stored)
    call = Interaction.objects.get(kind="call")
    assert Interaction.objects.filter(kind="call").count() == 1
    assert call.provider_id == PARENT
    assert call.channel == "voice" and call.direction == "in"
    assert call.text == TRANSCRIPT
    with attachment.file.open("rb") as audio:
        assert audio.read() == AUDIO
    assert (attachment.name, attachment.content_type, attachment.size) == (
        f"{REC}.mp3", "audio/mpeg", len(AUDIO))
    meta = call.meta
    assert meta["direction"] == "in"
    assert meta["from"] == "+14155550134" and meta["to"] == "+15005550006"
    assert meta["status"] == "completed"
    assert (meta["duration_seconds"], meta["talk_seconds"], meta["wait_seconds"]) == (124, 0, 124)
    assert meta["dial_status"] == "no-answer"
    assert meta["outcome"] == "voicemail"
    assert meta["voicemail"] is True
    assert "answered_by" not in meta
    assert meta["recordings"][REC]["attachment_id"] == attachment.pk
    assert meta["recordings"][REC]["duration"] == 21
    assert meta["transcription"] == {"sid": "TR7f6e5d4c3b2a19080f1e2d3c4b5a6978",
                                     "status": "completed", "recording_sid": REC}
    media_gets = [r for r in fake_twilio.requests if r.method == "GET"]
    assert [r.url for r in media_gets] == [
        f"https://api.twilio.com/2010-04-01/Accounts/{'AC' + '0' * 32}/Recordings/{REC}.mp3"]
    assert media_gets[0].auth == ("AC" + "0" * 32, "12345678901234567890123456789012")
    assert PendingCallEvent.objects.count() == 0
    assert call.conversation.customer.identities.get().value == "+14155550134"


def _answered_lifecycle(inbox, agent_id):
    dial_recording = payload("recording_completed", RecordingSource="DialVerb",
                             RecordingChannels="2", RecordingDuration="72")
    return [
        (hook("status"), payload("status_ringing")),
        (hook("status"), payload("status_in_progress")),
        (hook("agent", inbox, agent=agent_id), payload("agent_leg_ringing")),
        (hook("agent", inbox, agent=agent_id), payload("agent_leg_answered")),
        (hook("agent", inbox, agent=agent_id), payload("agent_leg_completed")),
        (hook("dial", inbox), payload("dial_completed")),
        (hook("status"), payload("status_completed")),
        (hook("recording", inbox), dial_recording),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_answered_call_in_any_order_has_talk_and_wait_times(
    seed, web, twilio_inbox, online_agent_a
):
    requests = _answered_lifecycle(twilio_inbox, online_agent_a.pk) * 2
    requests.append((hook("incoming"), payload("incoming_call")))
    random.Random(seed).shuffle(requests)
    _send_all(web, requests)
    call = Interaction.objects.get(kind="call")
    meta = call.meta
    assert meta["status"] == "completed"
    assert (meta["duration_seconds"], meta["talk_seconds"], meta["wait_seconds"]) == (124, 72, 52)
    assert meta["answered_by"] == {"id": online_agent_a.pk, "username": "agent_a"}
    assert meta["answered_at"] == "2025-10-14T09:12:27+00:00"
    assert meta["outcome"] == "answered"
    assert meta["recordings"][REC]["source"] == "DialVerb"
    assert meta["recordings"][REC]["fetch_queued"] is True
    assert call.conversation.assignee == online_agent_a
    assert PendingCallEvent.objects.count() == 0


@pytest.mark.django_db
def test_status_callback_before_the_voice_webhook_records_the_call_once(web, twilio_inbox):
    _send_all(web, [(hook("status"), payload("status_completed"))])
    call = Interaction.objects.get(kind="call")
    assert call.meta["status"] == "completed"
    _send_all(web, [(hook("incoming"), payload("incoming_call")),
                    (hook("status"), payload("status_ringing"))])
    assert Interaction.objects.filter(kind="call").count() == 1
    call.refresh_from_db()
    assert call.meta["status"] == "completed"  # never back to ringing
    assert call.meta["duration_seconds"] == 124


@pytest.mark.django_db
def test_recording_before_the_call_is_known_waits_then_applies(web, twilio_inbox):
    _send_all(web, [(hook("recording", twilio_inbox), payload("recording_completed"))])
    assert Interaction.objects.filter(kind="call").count() == 0
    assert PendingCallEvent.objects.get().kind == "recording"
    _send_all(web, [(hook("status"), payload("status_ringing"))])
    call = Interaction.objects.get(kind="call")
    assert call.meta["recordings"][REC]["status"] == "completed"
    assert call.meta["voicemail"] is True
    assert PendingCallEvent.objects.count() == 0


@pytest.mark.django_db
def test_known_number_joins_the_customers_open_conversation(web, twilio_inbox, email_inbox):
    from conversations.actions.ingest import do_record_inbound
    from customers.actions.profile import do_add_identity
    from tests.factories import inbound

    first = do_record_inbound(inbound(email_inbox, "email", "email", "dana@example.com",
                                      "Order 1042 is late", provider_id="<m1@example.com>"))
    do_add_identity(first.conversation.customer, "phone", "+14155550134")
    _send_all(web, [(hook("incoming"), payload("incoming_call"))])
    call = Interaction.objects.get(kind="call")
    assert call.conversation == first.conversation
    assert call.customer == first.conversation.customer


@pytest.mark.django_db
def test_callbacks_that_never_find_their_call_are_pruned(twilio_inbox):
    from datetime import timedelta

    from django.utils import timezone

    from channels_voice.tasks import prune_pending_call_events_task

    old = PendingCallEvent.objects.create(inbox=twilio_inbox, call_sid="CA1", kind="recording")
    PendingCallEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    fresh = PendingCallEvent.objects.create(inbox=twilio_inbox, call_sid="CA2", kind="recording")
    assert prune_pending_call_events_task() == 1
    assert list(PendingCallEvent.objects.values_list("pk", flat=True)) == [fresh.pk]


LOSER = "CA" + "7" * 32


def _queued_lifecycle(inbox, call_id, winner, loser):
    """A queued call offered to two agents: the winner is bridged and talks 72 s; the
    loser answers a second too late and is hung up after 2 s."""
    def leg(name, agent, **overrides):
        return hook("agent", inbox, call=call_id, agent=agent), payload(name, **overrides)

    late = {"CallSid": LOSER, "To": "client:agent_c", "Called": "client:agent_c"}
    dial_recording = payload("recording_completed", CallSid=LEG, RecordingSource="DialVerb",
                             RecordingChannels="2", RecordingDuration="72")
    return [
        (hook("status"), payload("status_ringing")),
        (hook("status"), payload("status_in_progress")),
        leg("offer_leg_ringing", winner),
        leg("offer_leg_answered", winner),
        leg("offer_leg_ringing", loser, **late),
        leg("offer_leg_answered", loser, **late, Timestamp="Tue, 14 Oct 2025 09:12:28 +0000"),
        leg("offer_leg_completed", loser, **late, CallDuration="2"),
        (hook("agent-joined", inbox, call=call_id, agent=winner), payload("queue_agent_joined")),
        leg("offer_leg_completed", winner),
        (hook("after-queue", inbox, call=call_id), payload("queue_bridged")),
        (hook("status"), payload("status_completed")),
        (hook("recording", inbox, call=call_id), dial_recording),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_queued_call_answered_by_one_agent_in_any_order(
    seed, web, twilio_inbox, online_agent_a, online_agent_c
):
    _send_all(web, [(hook("incoming"), payload("incoming_call"))])  # queues, then offers
    call = Interaction.objects.get(kind="call")
    requests = _queued_lifecycle(twilio_inbox, call.pk, online_agent_a.pk, online_agent_c.pk) * 2
    random.Random(seed).shuffle(requests)
    _send_all(web, requests)
    assert Interaction.objects.filter(kind="call").count() == 1
    call.refresh_from_db()
    meta = call.meta
    assert meta["offered_to"] == [online_agent_a.pk, online_agent_c.pk]
    assert meta["status"] == "completed"
    assert (meta["duration_seconds"], meta["talk_seconds"], meta["wait_seconds"]) == (124, 72, 52)
    assert meta["answered_by"] == {"id": online_agent_a.pk, "username": "agent_a"}
    assert meta["answered_at"] == "2025-10-14T09:12:27+00:00"
    assert (meta["queue_result"], meta["queue_seconds"]) == ("bridged", 23)
    assert meta["outcome"] == "answered"
    assert meta["legs"][LEG]["bridged"] is True
    assert meta["legs"][LOSER]["status"] == "completed" and "bridged" not in meta["legs"][LOSER]
    assert meta["recordings"][REC]["source"] == "DialVerb"
    assert call.conversation.assignee == online_agent_a
    assert PendingCallEvent.objects.count() == 0
