"""STOP / START / HELP keywords: recorded as consent for that number, enforced on sends."""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from conversations.actions.reply import ReplyError, do_send_reply
from conversations.models import Interaction
from customers.models import Consent
from tests.sms.conftest import CUSTOMER, INBOUND_PATH, payload
from tests.twilio.signing import post_signed
from tests.waiting import wait_for

OPTED_OUT = re.compile(
    r"^\+14155550134 opted out of SMS messages from \+15005550006 \(inbound keyword STOP, "
    r"\d{4}-\d\d-\d\d \d\d:\d\d UTC\)\. Nothing can be sent until they text START\.$"
)


def _text(client, body, n, name="sms_inbound"):
    params = payload(name, sid=f"SM{n:032x}", Body=body)
    assert post_signed(client, INBOUND_PATH, params).status_code == 200
    return Interaction.objects.get(provider_id=f"SM{n:032x}")


def _consents():
    fields = ("identity__value", "channel", "scope", "status", "source")
    return list(Consent.objects.values_list(*fields))


@pytest.mark.django_db
def test_stop_is_recorded_and_refuses_the_next_reply(client, inbox, agent_a):
    hello = _text(client, "Where is my parcel?", 1)
    stop = _text(client, "STOP", 2)

    assert stop.text == "STOP"  # still on the timeline
    assert stop.conversation == hello.conversation
    assert stop.meta["keyword"] == "STOP"
    assert _consents() == [(CUSTOMER, "sms", "+15005550006", "opted_out", "inbound keyword STOP")]
    with pytest.raises(ReplyError) as refused:
        do_send_reply(conversation=hello.conversation, author=agent_a, text="It ships today")
    assert OPTED_OUT.match(str(refused.value)), str(refused.value)
    assert not Interaction.objects.filter(direction="out").exists()


@pytest.mark.django_db
def test_start_re_enables_replies(client, inbox, agent_a):
    _text(client, "stop", 1)
    start = _text(client, "  Start ", 2)

    assert _consents() == [(CUSTOMER, "sms", "+15005550006", "opted_in", "inbound keyword START")]
    reply = do_send_reply(conversation=start.conversation, author=agent_a, text="Welcome back")
    assert reply.status == "queued"


@pytest.mark.django_db
@pytest.mark.parametrize("word", ["STOPALL", "unsubscribe", "Cancel", "END", "quit"])
def test_every_opt_out_keyword_counts(client, inbox, word):
    _text(client, word, 1)
    assert [c[3] for c in _consents()] == ["opted_out"]


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["Please stop the order", "STOP!", "stop it", "help me"])
def test_a_sentence_is_not_a_keyword(client, inbox, body):
    message = _text(client, body, 1)
    assert "keyword" not in message.meta
    assert _consents() == []


@pytest.mark.django_db
def test_twilio_advanced_opt_out_type_covers_custom_keywords(client, inbox):
    params = payload("sms_inbound", Body="ARRET", OptOutType="STOP")
    assert post_signed(client, INBOUND_PATH, params).status_code == 200
    assert Interaction.objects.get().meta["keyword"] == "STOP"
    assert _consents() == [(CUSTOMER, "sms", "+15005550006", "opted_out", "inbound keyword STOP")]


@pytest.mark.django_db
def test_help_is_noted_but_changes_no_consent(client, inbox):
    message = _text(client, "HELP", 1)
    assert message.meta["keyword"] == "HELP"
    assert _consents() == []


@pytest.mark.django_db
def test_stop_on_whatsapp_leaves_sms_alone(client, inbox, agent_a):
    _text(client, "STOP", 1, name="whatsapp_inbound")
    assert _consents() == [
        (CUSTOMER, "whatsapp", "+15005550006", "opted_out", "inbound keyword STOP")
    ]
    sms = _text(client, "Text me instead", 2)
    reply = do_send_reply(conversation=sms.conversation, author=agent_a, text="Sure", channel="sms")
    assert reply.status == "queued"


@pytest.mark.django_db
def test_a_repeated_stop_webhook_records_one_message(client, inbox):
    _text(client, "STOP", 1)
    _text(client, "STOP", 1)
    assert Interaction.objects.filter(kind="message").count() == 1
    assert Consent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_stop_after_the_reply_was_queued_fails_it_in_the_worker(client, inbox, agent_a,
                                                                 fake_twilio, celery_worker):
    hello = _text(client, "Where is my parcel?", 1)
    # The reply is queued (its check passed), then STOP lands before the worker runs.
    with transaction.atomic():
        reply = do_send_reply(conversation=hello.conversation, author=agent_a, text="Soon")
        _text(client, "STOP", 2)

    wait_for(lambda: Interaction.objects.get(pk=reply.pk).status == "failed")
    reply.refresh_from_db()
    assert OPTED_OUT.match(reply.error), reply.error
    assert fake_twilio.sends() == []
