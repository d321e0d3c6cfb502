"""The "twilio" inbox kind's config (twilio_common.inbox), validated through the core's
registry; its "voice" section by the voice channel, which registers it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from channels_voice.config import validate_voice_config
from conversations.channels import validate_inbox_config
from conversations.models import Inbox

SID = "AC" + "0123456789abcdef" * 2


def test_a_full_config_is_cleaned_and_voice_keys_pass_through():
    cleaned = validate_inbox_config("twilio", {
        "account_sid": f" {SID} ",
        "messaging_service_sid": "MG" + "a" * 32,
        "capabilities": ["voice", "SMS", "whatsapp", "mms"],
        "whatsapp_sender": "+1 (415) 555-0100",
        "voice": {"greeting": "Thanks for calling"},
        "ring_seconds": 25,
    })
    assert cleaned == {
        "account_sid": SID,
        "messaging_service_sid": "MG" + "a" * 32,
        "capabilities": ["sms", "mms", "whatsapp", "voice"],
        "whatsapp_sender": "+14155550100",
        "voice": validate_voice_config({"greeting": "Thanks for calling"}),
        "ring_seconds": 25,
    }


def test_the_voice_part_is_validated_by_the_voice_channel():
    with pytest.raises(ValueError, match=r"voice\.menu must be an object"):
        validate_inbox_config("twilio", {"account_sid": SID, "voice": {"menu": [1]}})


def test_optional_keys_may_be_blank():
    assert validate_inbox_config("twilio", {
        "account_sid": SID, "messaging_service_sid": "", "whatsapp_sender": None,
    }) == {"account_sid": SID}


@pytest.mark.parametrize(("config", "error"), [
    ({"account_sid": "AC123"}, "account_sid must be AC followed by 32 hexadecimal characters."),
    ({"account_sid": "SK" + "0" * 32},
     "account_sid must be AC followed by 32 hexadecimal characters."),
    ({"account_sid": SID, "messaging_service_sid": "MG12"},
     "messaging_service_sid must be MG followed by 32 hexadecimal characters."),
    ({"account_sid": SID, "capabilities": "sms"},
     "capabilities must be a list drawn from sms, mms, whatsapp, voice."),
    ({"account_sid": SID, "capabilities": ["sms", "fax", "rcs"]},
     "unknown capabilities: fax, rcs (choose from sms, mms, whatsapp, voice)."),
    ({"account_sid": SID, "whatsapp_sender": "whatever"},
     "whatsapp_sender must be a phone number in E.164 form (+15551234567)."),
])
def test_mistakes_are_named(config, error):
    with pytest.raises(ValueError) as refused:
        validate_inbox_config("twilio", config)
    assert str(refused.value) == error


def test_account_sid_is_required_without_a_default(settings):
    settings.TWILIO_ACCOUNT_SID = ""
    with pytest.raises(ValueError) as refused:
        validate_inbox_config("twilio", {})
    assert str(refused.value) == "account_sid is required (or set TWILIO_ACCOUNT_SID)."
    settings.TWILIO_ACCOUNT_SID = SID
    assert validate_inbox_config("twilio", {}) == {}


def test_inbox_clean_uses_it():
    inbox = Inbox(kind="twilio", name="Line", slug="line", address="+15005550006",
                  config={"account_sid": "nope"})
    with pytest.raises(ValidationError) as refused:
        inbox.clean()
    assert refused.value.message_dict == {
        "config": ["account_sid must be AC followed by 32 hexadecimal characters."]
    }
