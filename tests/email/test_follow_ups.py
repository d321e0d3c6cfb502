"""The follow-ups of a recorded email run as Celery tasks on a real worker, scheduled
in the transaction that records the message: a DSN arriving through a webhook marks
the bounced reply, a new conversation is acknowledged (and the acknowledgement sent)
once, even when the task is delivered twice."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client

from channels_email.follow_ups import acknowledge_task, mark_bounced_task
from channels_email.receive import receive_raw_email
from conversations.actions.reply import do_send_reply
from conversations.models import Interaction
from tests.email.conftest import BASIC_AUTH, corpus_bytes, payload
from tests.email.helpers import compose
from tests.waiting import wait_for

pytestmark = pytest.mark.slow


def test_a_new_conversation_is_acknowledged_by_the_worker_once(email_inbox, celery_worker):
    email_inbox.config = {"acknowledgement": {"body": "Hello {customer_name}, we are on it."}}
    email_inbox.save()
    response = Client().post("/anymail/postmark/inbound/",
                             data=json.dumps(payload("postmark_inbound.json")),
                             content_type="application/json", HTTP_AUTHORIZATION=BASIC_AUTH)
    assert response.status_code == 200
    inbound = Interaction.objects.get(direction="in")
    ack = wait_for(lambda: Interaction.objects.filter(
        meta__acknowledges=inbound.pk, status="sent").first())
    assert ack.text == "Hello Carla Mendes, we are on it."
    assert mail.outbox[-1].to == ["carla.mendes@example.com"]

    # The same task delivered again (a broker redelivery, the outbox relaying twice).
    assert acknowledge_task.apply(args=[inbound.pk]).get() is None
    assert Interaction.objects.filter(meta__automatic=True).count() == 1
    assert len(mail.outbox) == 1


def test_a_dsn_marks_the_bounced_reply_on_the_worker(email_inbox, agent_a, celery_worker):
    first = receive_raw_email(compose(sender="dana.reyes@example.com", subject="Order 1042",
                                      message_id="<order@example.com>"))
    reply = do_send_reply(conversation=first.result.conversation, author=agent_a, text="Soon.")
    sent = wait_for(lambda: Interaction.objects.filter(pk=reply.pk, status="sent").first())
    raw = corpus_bytes("dsn_bounce.eml").replace(
        b"<original-placeholder@omnidesk.test>", sent.provider_id.encode())

    outcome = receive_raw_email(raw)

    assert outcome.marking_bounced == sent.pk
    bounced = wait_for(lambda: Interaction.objects.filter(pk=sent.pk, status="bounced").first())
    assert bounced.meta["bounce_interaction_id"] == outcome.result.interaction.pk
    assert mark_bounced_task.apply(args=[outcome.result.interaction.pk]).get() == (
        "already marked")
