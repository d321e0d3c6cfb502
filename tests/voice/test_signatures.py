"""Every voice webhook checks X-Twilio-Signature; a bad request records nothing."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from channels_voice.models import PendingCallEvent
from conversations.models import Interaction
from customers.models import Customer
from tests.twilio.signing import post_signed
from tests.voice.helpers import hook, payload

pytestmark = pytest.mark.django_db


def _nothing_recorded() -> None:
    assert Interaction.objects.count() == 0
    assert Customer.objects.count() == 0
    assert PendingCallEvent.objects.count() == 0


def test_signed_incoming_call_is_accepted_and_recorded(web, twilio_inbox):
    response = post_signed(web, hook("incoming"), payload("incoming_call"))
    assert response.status_code == 200
    call = Interaction.objects.get(kind="call")
    assert call.provider_id == "CA4a1f2b3c4d5e6f708192a3b4c5d6e7f8"
    assert call.inbox == twilio_inbox


def test_unsigned_request_is_refused(web, twilio_inbox):
    response = post_signed(web, hook("incoming"), payload("incoming_call"), signature="")
    assert response.status_code == 403
    _nothing_recorded()


def test_tampered_parameter_is_refused(web, twilio_inbox):
    params = payload("incoming_call")
    url = "http://testserver" + hook("incoming")
    signature = RequestValidator("12345678901234567890123456789012").compute_signature(url, params)
    tampered = {**params, "From": "+14155550199"}
    response = post_signed(web, hook("incoming"), tampered, signature=signature)
    assert response.status_code == 403
    _nothing_recorded()


def test_request_signed_for_another_url_is_refused(web, twilio_inbox):
    response = post_signed(web, hook("incoming"), payload("incoming_call"),
                           signed_url="https://evil.example.com/webhooks/twilio/voice/")
    assert response.status_code == 403
    _nothing_recorded()


def test_request_signed_with_another_token_is_refused(web, twilio_inbox):
    response = post_signed(web, hook("incoming"), payload("incoming_call"), token="0" * 32)
    assert response.status_code == 403
    _nothing_recorded()


@pytest.mark.parametrize("name,fixture", [
    ("status", "status_completed"), ("recording", "recording_completed"),
    ("transcription", "transcription_completed"), ("agent", "agent_leg_answered"),
    ("dial", "dial_no_answer"), ("menu", "gather_digits"), ("after", "gather_digits"),
    ("recorded", "record_action"), ("hold", "queue_wait"), ("after-queue", "queue_left"),
    ("bridge", "offer_leg_answered"), ("agent-joined", "queue_agent_joined"),
    ("conference", "offer_leg_answered"),
])
def test_every_callback_refuses_a_tampered_request(web, twilio_inbox, name, fixture):
    path = hook(name, twilio_inbox)
    params = payload(fixture)
    good = post_signed(web, path, params, token="f" * 32)
    assert good.status_code == 403
    # Signed for this URL, but a parameter changed on the way.
    signature = RequestValidator("12345678901234567890123456789012").compute_signature(
        "http://testserver" + path, params
    )
    tampered = {**params, "CallSid": "CA" + "1" * 32}
    assert post_signed(web, path, tampered, signature=signature).status_code == 403
    # The inbox named in the query is part of what is signed.
    other = path.replace("support-line", "other-line")
    assert post_signed(web, other, params, signature=signature).status_code == 403
    _nothing_recorded()


def test_unknown_inbox_is_refused(web, twilio_inbox):
    params = payload("incoming_call", To="+15005550009", Called="+15005550009")
    assert post_signed(web, hook("incoming"), params).status_code == 403
    _nothing_recorded()
