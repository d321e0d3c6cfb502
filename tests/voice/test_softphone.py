"""Browser calling: Voice SDK access tokens, the softphone page, recordings playback."""

from __future__ import annotations

import jwt
import pytest
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.test import Client

from conversations.models import Attachment, Interaction
from tests.conftest import PASSWORD
from tests.twilio.signing import post_signed
from tests.voice.helpers import AUDIO, hook, payload

pytestmark = pytest.mark.django_db

KEY_SID = "SK" + "1" * 32
KEY_SECRET = "key-secret-for-tests-0123456789abcdef"
INBOX_SECRET = "inbox-secret-0123456789abcdef0123456789"
APP_SID = "AP" + "2" * 32


def _logged_in(user) -> Client:
    web = Client()
    assert web.login(username=user.get_username(), password=PASSWORD)
    return web


@pytest.fixture
def voice_keys(settings):
    settings.TWILIO_API_KEY_SID = KEY_SID
    settings.TWILIO_API_KEY_SECRET = KEY_SECRET
    settings.TWILIO_TWIML_APP_SID = APP_SID


def test_agent_gets_a_voice_token_for_their_identity(voice_keys, twilio_inbox, agent_a):
    response = _logged_in(agent_a).get("/voice/token/")
    assert response.status_code == 200
    body = response.json()
    assert body["identity"] == "agent_a" and body["ttl"] == 3600
    claims = jwt.decode(body["token"], KEY_SECRET, algorithms=["HS256"])
    assert claims["iss"] == KEY_SID
    assert claims["sub"] == "AC" + "0" * 32
    assert claims["grants"]["identity"] == "agent_a"
    assert claims["grants"]["voice"] == {
        "incoming": {"allow": True}, "outgoing": {"application_sid": APP_SID}}
    assert response["Cache-Control"] == "no-store"


def test_inbox_keys_win_over_settings(voice_keys, twilio_inbox, agent_a):
    twilio_inbox.config = {**twilio_inbox.config,
                           "voice": {"api_key_sid": "SK" + "9" * 32, "twiml_app_sid": APP_SID}}
    twilio_inbox.secrets = {**twilio_inbox.secrets, "api_key_secret": INBOX_SECRET}
    twilio_inbox.save()
    token = _logged_in(agent_a).get("/voice/token/").json()["token"]
    assert jwt.decode(token, INBOX_SECRET, algorithms=["HS256"])["iss"] == "SK" + "9" * 32


def test_token_is_for_agents_only(voice_keys, twilio_inbox, outsider):
    assert _logged_in(outsider).get("/voice/token/").status_code == 403
    anonymous = Client().get("/voice/token/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_token_without_an_api_key_says_so(twilio_inbox, agent_a):
    response = _logged_in(agent_a).get("/voice/token/")
    assert response.status_code == 503
    assert response.json() == {"error": "Browser calling is not configured (no Twilio API key)."}


def test_softphone_page_loads_the_sdk_and_our_script(agent_a):
    response = _logged_in(agent_a).get("/voice/softphone/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<script src="/static/channels_voice/twilio.min.js"></script>' in html
    assert '<script src="/static/channels_voice/softphone.js"></script>' in html
    assert 'data-token-url="/voice/token/"' in html
    sdk = finders.find("channels_voice/twilio.min.js")
    with open(sdk, encoding="utf-8") as handle:
        assert "Twilio.Device=Twilio.Device||Voice.Device" in handle.read()


def test_recording_plays_inline_for_agents_who_see_the_call(web, twilio_inbox, agent_a, agent_b):
    post_signed(web, hook("incoming"), payload("incoming_call"))
    call = Interaction.objects.get(kind="call")
    attachment = Attachment(interaction=call, name="RE1.mp3", content_type="audio/mpeg",
                            size=len(AUDIO))
    attachment.file.save("RE1.mp3", ContentFile(AUDIO), save=True)
    response = _logged_in(agent_a).get(f"/voice/recordings/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mpeg"
    assert "attachment" not in response.get("Content-Disposition", "")
    assert b"".join(response.streaming_content) == AUDIO
    assert _logged_in(agent_b).get(f"/voice/recordings/{attachment.pk}/").status_code == 404
