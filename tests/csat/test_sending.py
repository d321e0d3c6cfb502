"""A resolution sends its survey on the channel the customer used, through the normal
outbound path: email with the one-click links (anymail's test backend), SMS "Reply 1 to
5" through Twilio (the HTTP fake) with the reply digit recorded as the rating, chat the
rating page's link. One survey per resolution; none to an opted-out customer; none
when CSAT is off."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from channels_email.receive import receive_raw_email
from conversations.actions.ingest import do_record_inbound
from conversations.actions.update import do_update_conversation
from conversations.models import Conversation, Interaction
from csat.actions.send import SMS_TEXT, do_send_survey
from csat.actions.survey import CSAT_ANSWERED
from csat.links import survey_id_from
from csat.models import CsatSurvey
from customers.models import Consent, Identity
from jobs.models import Job
from tests.email.helpers import compose
from tests.factories import inbound
from tests.sms.conftest import CUSTOMER, INBOUND_PATH, payload
from tests.twilio.signing import post_signed
from tests.waiting import wait_for


def _survey_out(conversation: Conversation) -> Interaction | None:
    return Interaction.objects.filter(conversation=conversation, direction="out",
                                      meta__csat_survey__isnull=False).first()


@pytest.mark.django_db(transaction=True)
def test_an_email_resolution_mails_the_one_click_links_once(
    email_inbox, agent_a, celery_worker, settings
):
    email_inbox.config = {"email_backend": "anymail.backends.test.EmailBackend"}
    email_inbox.save()
    outcome = receive_raw_email(compose(sender="Dana Reyes <dana@example.com>",
                                        subject="Order 1042", message_id="<o@example.com>"))
    conversation = outcome.result.conversation
    do_update_conversation(conversation, by=agent_a, changes={"status": "resolved"})
    survey = wait_for(lambda: CsatSurvey.objects.filter(sent_at__isnull=False).first())
    sent = wait_for(lambda: Interaction.objects.filter(
        conversation=conversation, direction="out", status="sent").first())
    assert (survey.channel, sent.meta["csat_survey"], sent.meta["automatic"], sent.meta["to"]) == (
        "email", survey.pk, True, "dana@example.com")
    assert sent.subject == "How did we do? (Order 1042)"
    assert [m.to for m in mail.outbox] == [["dana@example.com"]]
    body = mail.outbox[0].body
    links = re.findall(r"^(\d) \(.+\): (\S+)$", body, re.M)
    assert [n for n, _ in links] == ["5", "4", "3", "2", "1"]
    for n, url in links:
        token, rating = url.removeprefix(f"{settings.PUBLIC_URL}/csat/").rstrip("/").split("/")
        assert (survey_id_from(token), rating) == (survey.pk, n)
    assert 'href="' + links[0][1] + '"' in mail.outbox[0].alternatives[0][0]
    # The customer clicks "5" in the mail: the rating lands on the timeline.
    url = links[0][1]
    assert Client().get(url.removeprefix(settings.PUBLIC_URL)).status_code == 302
    survey.refresh_from_db()
    assert survey.rating == 5
    # An automatic message is no response: the conversation stays unanswered.
    assert Conversation.objects.get(pk=conversation.pk).first_response_at is None
    # Another change to the resolved conversation sends nothing more.
    do_update_conversation(conversation, by=agent_a, changes={"tags": ["vip"]})
    assert do_send_survey(conversation.pk) == survey
    assert CsatSurvey.objects.count() == 1 and len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_an_sms_resolution_texts_reply_1_to_5_and_the_reply_is_the_rating(
    client, twilio_inbox, agent_a, fake_twilio, celery_worker
):
    assert post_signed(client, INBOUND_PATH, payload("sms_inbound")).status_code == 200
    conversation = Interaction.objects.get(kind="message").conversation
    do_update_conversation(conversation, by=agent_a, changes={"status": "resolved"})
    wait_for(lambda: fake_twilio.sends())
    [request] = fake_twilio.sends()
    assert (request.data["To"], request.data["Body"]) == (CUSTOMER, SMS_TEXT)
    survey = CsatSurvey.objects.get()
    assert (survey.channel, survey.sent_at is not None, survey.rating) == ("sms", True, None)

    reply = payload("sms_inbound", sid="SM" + "4" * 32, Body=" 4 ")
    assert post_signed(client, INBOUND_PATH, reply).status_code == 200
    survey.refresh_from_db()
    assert (survey.rating, survey.answered_at is not None) == (4, True)
    assert list(Interaction.objects.filter(event_type=CSAT_ANSWERED).values_list(
        "conversation_id", "text")) == [(conversation.pk, "Customer rated 4/5 (Happy)")]
    # The message itself stays on the customer's timeline, in a conversation of its own
    # (a resolved one is not continued) that asks nothing of an agent: resolved at
    # once, with no survey of its own.
    digit = Interaction.objects.get(direction="in", text=" 4 ")
    assert digit.meta["csat_rating_for"] == survey.pk
    opened = Conversation.objects.get(pk=digit.conversation_id)
    assert opened.pk != conversation.pk and opened.status == "resolved"
    assert do_send_survey(opened.pk) is None
    assert CsatSurvey.objects.count() == 1 and len(fake_twilio.sends()) == 1


@pytest.mark.django_db
def test_a_digit_outside_the_window_or_another_text_is_no_rating(twilio_inbox, agent_a):
    conversation = do_record_inbound(
        inbound(twilio_inbox, "sms", "phone", CUSTOMER, "Hi")).conversation
    survey = CsatSurvey.objects.create(
        conversation=conversation, customer=conversation.customer, channel="sms",
        resolved_at=timezone.now(), sent_at=timezone.now() - timedelta(hours=73))
    do_record_inbound(inbound(twilio_inbox, "sms", "phone", CUSTOMER, "3"))
    do_record_inbound(inbound(twilio_inbox, "whatsapp", "phone", CUSTOMER, "3"))
    survey.sent_at = timezone.now() - timedelta(hours=1)
    survey.save()
    do_record_inbound(inbound(twilio_inbox, "sms", "phone", CUSTOMER, "3 stars"))
    do_record_inbound(inbound(twilio_inbox, "sms", "phone", CUSTOMER, "6"))
    survey.refresh_from_db()
    assert survey.rating is None
    do_record_inbound(inbound(twilio_inbox, "sms", "phone", CUSTOMER, "2."))
    survey.refresh_from_db()
    assert survey.rating == 2


@pytest.mark.django_db
def test_a_chat_resolution_sends_the_rating_pages_link(chat_inbox, agent_a, settings):
    conversation = do_record_inbound(
        inbound(chat_inbox, "chat", "chat", "visitor-ana", "Hi")).conversation
    do_update_conversation(conversation, by=agent_a, changes={"status": "resolved"})
    assert Job.objects.filter(task="csat.tasks.send_survey_task").count() == 1
    survey = do_send_survey(conversation.pk)
    assert survey is not None and survey.channel == "chat"
    message = _survey_out(conversation)
    assert message is not None
    prefix = f"How did we do? Rate this conversation: {settings.PUBLIC_URL}/csat/"
    assert message.text.startswith(prefix) and message.text.endswith("/")
    assert survey_id_from(message.text.removeprefix(prefix).rstrip("/")) == survey.pk


@pytest.mark.django_db
def test_one_survey_per_resolution_a_reopen_and_resolve_gets_another(chat_inbox, agent_a):
    conversation = do_record_inbound(
        inbound(chat_inbox, "chat", "chat", "visitor-bo", "Hi")).conversation
    do_update_conversation(conversation, by=agent_a, changes={"status": "resolved"})
    first = do_send_survey(conversation.pk)
    assert do_send_survey(conversation.pk) == first
    do_update_conversation(conversation, by=agent_a, changes={"status": "open"})
    assert do_send_survey(conversation.pk) is None  # reopened: nothing to ask about
    do_update_conversation(conversation, by=agent_a, changes={"status": "resolved"})
    second = do_send_survey(conversation.pk)
    assert second is not None and second != first
    assert Interaction.objects.filter(conversation=conversation, direction="out").count() == 2


@pytest.mark.django_db
def test_no_survey_to_an_opted_out_customer_or_when_csat_is_off(twilio_inbox, agent_a, settings):
    conversation = do_record_inbound(
        inbound(twilio_inbox, "sms", "phone", CUSTOMER, "Hi")).conversation
    do_update_conversation(conversation, by=agent_a, changes={"status": "resolved"})
    Consent.objects.create(identity=Identity.objects.get(value=CUSTOMER), channel="sms",
                           status="opted_out", changed_at=timezone.now())
    assert do_send_survey(conversation.pk) is None
    Consent.objects.all().delete()
    settings.CSAT_ENABLED = False
    assert do_send_survey(conversation.pk) is None
    do_update_conversation(conversation, by=agent_a, changes={"status": "open"})
    do_update_conversation(conversation, by=agent_a, changes={"status": "resolved"})
    assert Job.objects.filter(task="csat.tasks.send_survey_task").count() == 1  # the first
    assert not CsatSurvey.objects.exists()
    assert not Interaction.objects.filter(direction="out").exists()
