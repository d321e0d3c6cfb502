"""Twilio webhooks under hostile input: correctly signed garbage is refused with a clear
400 or handled with a 200/204, never a 500, and never half-recorded; an unsigned or
forged request is a 403 that records nothing; a retried message records one row."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.models import Attachment, Interaction, Status
from tests.factories import inbound
from tests.hostile.conftest import FUZZ, row_counts
from tests.hostile.twilio import (
    INBOUND_PATH,
    INBOX_NUMBER,
    STATUS_PATH,
    call_params,
    post_twilio,
    sms_params,
    status_params,
)

pytestmark = pytest.mark.django_db

# Form values: any text a form can carry (no lone surrogates: they cannot be encoded),
# weighted towards what breaks parsers and databases.
NASTY = st.sampled_from([
    "", " ", "\x00", "+1415555\x000134", "whatsapp:", "whatsapp:+", "+", "00", "-1", "1e9",
    "NaN", "999999999999999999999999", "\U0001f600" * 3, "\u202e+14155550134",
    "<script>alert(1)</script>", "\u0663" * 10, "tel:+14155550134", "+1 (415) 555-0134",
])
FORM_TEXT = st.one_of(NASTY, st.text(st.characters(exclude_categories=("Cs",)), max_size=60))
INBOUND_KEYS = [
    "From", "MessageSid", "SmsMessageSid", "Body", "NumMedia", "MediaUrl0",
    "MediaContentType0", "MediaUrl1", "ProfileName", "OptOutType", "WaId", "NumSegments",
    "MessagingServiceSid", "FromCity",
]
_sids = itertools.count(1)


def _fresh_sid() -> str:
    return f"SMhostile{next(_sids):024d}"


@FUZZ
@given(
    overrides=st.dictionaries(st.sampled_from(INBOUND_KEYS), FORM_TEXT, max_size=6),
    drop=st.sets(st.sampled_from(["From", "MessageSid", "SmsMessageSid", "Body"]), max_size=3),
)
def test_signed_garbage_message_is_refused_clearly_or_recorded_exactly_once(
    client, twilio_inbox, overrides, drop
):
    params = sms_params(**{"MessageSid": _fresh_sid(), "SmsMessageSid": "", **overrides})
    for key in drop:
        params.pop(key, None)
    # What the webhook records: NUL characters dropped.
    sid = (params.get("MessageSid") or params.get("SmsMessageSid") or "").replace("\x00", "")
    already = bool(sid) and Interaction.objects.filter(provider_id=sid).exists()
    before = row_counts()

    response = post_twilio(client, INBOUND_PATH, params)

    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 400:
        assert response["Content-Type"] == "text/plain"
        assert response.content.decode().strip()
        assert row_counts() == before
        return
    after = row_counts()
    assert after[0] - before[0] == (0 if already else 1)
    interaction = Interaction.objects.get(provider_id=sid)
    if not already:
        assert interaction.text == params.get("Body", "").replace("\x00", "")
    # Twilio retries the same event: nothing doubles.
    assert post_twilio(client, INBOUND_PATH, params).status_code == 200
    assert row_counts() == after


@pytest.mark.parametrize(
    ("drop", "overrides", "message"),
    [
        (["MessageSid", "SmsMessageSid"], {}, "MessageSid is missing."),
        ([], {"MessageSid": "", "SmsMessageSid": ""}, "MessageSid is missing."),
        (["From"], {}, "From must be a phone number (E.164, optionally whatsapp:+…); got ''."),
        ([], {"From": "not a phone"}, "From must be a phone number (E.164, optionally "
         "whatsapp:+…); got 'not a phone'."),
        ([], {"From": "whatsapp:"}, "From must be a phone number (E.164, optionally "
         "whatsapp:+…); got 'whatsapp:'."),
        ([], {"From": "+1"}, "From must be a phone number (E.164, optionally "
         "whatsapp:+…); got '+1'."),
    ],
)
def test_message_without_sid_or_phone_is_a_clear_400_and_nothing_recorded(
    client, twilio_inbox, drop, overrides, message
):
    params = sms_params(**overrides)
    for key in drop:
        params.pop(key, None)
    response = post_twilio(client, INBOUND_PATH, params)
    assert response.status_code == 400
    assert response.content.decode() == message
    assert row_counts() == (0, 0, 0)


def test_message_without_to_names_no_inbox_and_is_refused(client, twilio_inbox):
    params = sms_params()
    params.pop("To")
    assert post_twilio(client, INBOUND_PATH, params).status_code == 403
    assert row_counts() == (0, 0, 0)


def test_huge_non_ascii_body_with_nul_bytes_is_kept_without_the_nuls(client, twilio_inbox):
    body = ("Olá \U0001f600 日本語 \x00" * 20_000)[:100_000]
    response = post_twilio(client, INBOUND_PATH, sms_params(Body=body, ProfileName="A\x00na"))
    assert response.status_code == 200
    interaction = Interaction.objects.get()
    assert interaction.text == body.replace("\x00", "")
    assert interaction.customer.name == "Ana"
    assert "\x00" not in interaction.raw["Body"]


@pytest.mark.parametrize(
    ("num_media", "urls", "kept"),
    [
        ("abc", 2, 0),  # not a number: no media rather than a crash
        ("-3", 2, 0),
        ("1e3", 1, 0),
        ("5", 2, 2),  # more announced than sent: what was sent
        ("99999999999999999999", 11, 10),  # Twilio sends at most 10
        ("2", 0, 0),
    ],
)
def test_num_media_garbage_keeps_exactly_the_media_urls_sent(
    client, twilio_inbox, num_media, urls, kept
):
    extra = {
        f"MediaUrl{i}": f"https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/SM1/Media/ME{i}"
        for i in range(urls)
    }
    extra.update({f"MediaContentType{i}": "image/jpeg" for i in range(urls)})
    response = post_twilio(client, INBOUND_PATH, sms_params(NumMedia=num_media, **extra))
    assert response.status_code == 200
    names = sorted(Attachment.objects.values_list("name", flat=True))
    assert names == sorted(f"ME{i}.jpg" for i in range(kept))
    assert Interaction.objects.get().meta["num_media"] == kept


# --- status callbacks ---------------------------------------------------------------

STATUS_KEYS = ["MessageSid", "SmsSid", "MessageStatus", "SmsStatus", "ErrorCode", "ErrorMessage"]


@pytest.fixture
def sent_sms(twilio_inbox):
    """An outbound SMS Twilio accepted (SID recorded), waiting for its callbacks."""
    from conversations.actions.ingest import do_record_inbound
    from conversations.models import Direction

    conversation = do_record_inbound(inbound(
        twilio_inbox, "sms", "phone", "+14155550134", "Hi", provider_id="SMin0001"
    )).conversation
    return Interaction.objects.create(
        conversation=conversation, customer=conversation.customer, inbox=twilio_inbox,
        channel="sms", direction=Direction.OUTBOUND, text="On its way",
        provider_id="SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", status=Status.SENT,
    )


@FUZZ
@given(
    overrides=st.dictionaries(st.sampled_from(STATUS_KEYS), FORM_TEXT, max_size=4),
    query=st.one_of(st.just(""), st.sampled_from([
        "?interaction=abc", "?interaction=-1", "?interaction=%C2%B2", "?interaction=%D9%A3",
        "?interaction=99999999999999999999999", "?interaction=", "?interaction=1&interaction=2",
    ])),
)
def test_signed_garbage_status_callback_is_answered_and_never_invents_rows(
    client, twilio_inbox, sent_sms, overrides, query
):
    params = status_params(**overrides)
    before = row_counts()
    response = post_twilio(client, STATUS_PATH + query, params)
    assert response.status_code == 204, response.content[:300]
    assert row_counts() == before
    sent_sms.refresh_from_db()
    assert sent_sms.status in (Status.SENT, Status.DELIVERED, Status.READ, Status.FAILED)


def test_unknown_message_status_changes_nothing(client, twilio_inbox, sent_sms):
    response = post_twilio(client, STATUS_PATH, status_params(MessageStatus="exploded",
                                                              SmsStatus="exploded"))
    assert response.status_code == 204
    sent_sms.refresh_from_db()
    assert (sent_sms.status, sent_sms.error) == (Status.SENT, "")


# --- forged requests: 403, nothing recorded -----------------------------------------

VOICE_PATHS = [
    "/webhooks/twilio/voice/", "/webhooks/twilio/voice/menu/", "/webhooks/twilio/voice/dial/",
    "/webhooks/twilio/voice/after/", "/webhooks/twilio/voice/recorded/",
    "/webhooks/twilio/voice/status/", "/webhooks/twilio/voice/agent/",
    "/webhooks/twilio/voice/recording/", "/webhooks/twilio/voice/transcription/",
    "/webhooks/twilio/voice/outbound/",
]
FORGERIES = {
    "unsigned": "",
    "garbage": "bm90IGEgc2lnbmF0dXJl",
    "not base64 \x00": "\u00e9\u00e9\u00e9",
    "other token": "other-token",
}


def _forged(kind: str, path: str, params: dict[str, str]) -> str:
    if kind == "other token":
        from twilio.request_validator import RequestValidator

        return RequestValidator("f" * 32).compute_signature(f"http://testserver{path}", params)
    return FORGERIES[kind]


@pytest.mark.parametrize("kind", list(FORGERIES))
@pytest.mark.parametrize("path", [INBOUND_PATH, STATUS_PATH])
def test_forged_messaging_webhook_is_403_and_records_nothing(
    client, twilio_inbox, sent_sms, kind, path
):
    params = sms_params() if path == INBOUND_PATH else status_params(MessageStatus="failed")
    before = row_counts()
    response = post_twilio(client, path, params, signature=_forged(kind, path, params))
    assert response.status_code == 403
    assert row_counts() == before
    sent_sms.refresh_from_db()
    assert sent_sms.status == Status.SENT


@pytest.mark.parametrize("kind", list(FORGERIES))
@pytest.mark.parametrize("path", VOICE_PATHS)
def test_forged_voice_webhook_is_403_and_records_nothing(client, twilio_inbox, kind, path):
    params = call_params()
    response = post_twilio(client, path, params, signature=_forged(kind, path, params))
    assert response.status_code == 403
    assert row_counts() == (0, 0, 0)


@FUZZ
@given(to=FORM_TEXT, service=FORM_TEXT, path=st.sampled_from([INBOUND_PATH, STATUS_PATH]))
def test_signed_request_naming_no_inbox_is_403_and_records_nothing(
    client, twilio_inbox, to, service, path
):
    # Signed with the inbox's token, but To/From/MessagingServiceSid name no inbox.
    params = sms_params(To=to, MessagingServiceSid=service, From=to)
    if to.strip() and to.replace("\x00", "") in (INBOX_NUMBER, "whatsapp:" + INBOX_NUMBER):
        return
    response = post_twilio(client, path, params)
    assert response.status_code == 403
    assert row_counts() == (0, 0, 0)


@pytest.mark.parametrize("path", [INBOUND_PATH, STATUS_PATH, "/webhooks/twilio/voice/"])
def test_get_on_a_webhook_is_405(client, twilio_inbox, path):
    assert client.get(path).status_code == 405
