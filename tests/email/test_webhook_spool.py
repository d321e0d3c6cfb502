"""The email webhooks through the inbound spool: a message is accepted as a stored file
and one spool row and answered; the drain records it (with the rest of its batch, in one
transaction) and deletes the file; an ESP's retry while it waits is kept once; a message
the database refuses waits in the spool, file and all, and is recorded when it can be;
a message no inbox can hold is still refused at once."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from channels_email.spooled import FOLDER, HANDLER
from conversations.models import Interaction
from spool.models import SpooledEvent
from spool.tasks import drain_spool_task
from tests.email.conftest import BASIC_AUTH, payload
from tests.email.helpers import compose, database_refusing
from tests.spooled import drained

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _email_webhooks_drained() -> None:
    """Not drained after each request here: these tests look at the spool first."""


def _id(name: str) -> str:
    return f"<{name}-{uuid.uuid4().hex[:8]}@customer.test>"


def post(raw: bytes, client: Client | None = None) -> Any:
    """The message as SendGrid's "raw" inbound parse posts it."""
    fields = {**payload("sendgrid_inbound_raw.json"), "email": raw.decode()}
    return (client or Client()).post("/anymail/sendgrid/inbound/", data=fields,
                                     HTTP_AUTHORIZATION=BASIC_AUTH)


def drain_until_postponed() -> None:
    """One drain: the event that failed is postponed (retry_at set), not recorded."""
    drain_spool_task()
    assert SpooledEvent.objects.filter(retry_at__isnull=False).exists()


def spooled_files() -> list[Path]:
    return sorted((Path(settings.MEDIA_ROOT) / FOLDER).glob("*.eml"))


def test_a_webhook_message_is_accepted_into_the_spool_and_recorded_by_the_drain(
    email_inbox, django_capture_on_commit_callbacks
):
    message_id = _id("parcel")
    before = set(spooled_files())
    response = post(compose(sender="Dana Reyes <dana@example.com>", subject="Parcel late",
                            message_id=message_id))

    assert response.status_code == 200
    assert not Interaction.objects.filter(provider_id=message_id).exists()
    event = SpooledEvent.objects.get(handler=HANDLER)
    assert (event.sender_kind, event.sender_value) == ("email", "dana@example.com")
    [stored] = set(spooled_files()) - before
    assert event.payload == {"file": f"{FOLDER}/{stored.name}", "source": "anymail:SendGrid"}

    with django_capture_on_commit_callbacks(execute=True):  # the test's commit, as it were
        drained()

    interaction = Interaction.objects.get(provider_id=message_id)
    assert (interaction.inbox, interaction.subject) == (email_inbox, "Parcel late")
    assert interaction.author_identity.value == "dana@example.com"
    assert interaction.meta["source"] == "anymail:SendGrid"
    assert interaction.raw_file  # the pipeline keeps its own copy
    assert not SpooledEvent.objects.exists()
    assert stored not in spooled_files()  # deleted once the recording committed


def test_an_esp_retry_while_the_first_copy_waits_is_kept_once(email_inbox):
    raw = compose(sender="eli@example.com", subject="Invoice", message_id=_id("invoice"))
    before = set(spooled_files())

    assert post(raw).status_code == 200
    assert post(raw).status_code == 200  # the ESP did not see the first answer

    assert SpooledEvent.objects.filter(handler=HANDLER).count() == 1
    assert len(set(spooled_files()) - before) == 1
    drained()
    assert Interaction.objects.filter(subject="Invoice").count() == 1


def test_a_burst_is_recorded_in_one_batch_each_sender_in_order_threads_joined(email_inbox):
    first, follow_up = _id("hinge"), _id("hinge-again")
    for raw in (
        compose(sender="fay@example.com", subject="Broken hinge", message_id=first),
        compose(sender="gus@example.com", subject="Wrong colour", message_id=_id("colour")),
        compose(sender="fay@example.com", subject="Re: Broken hinge", message_id=follow_up,
                in_reply_to=first),
        compose(sender="gus@example.com", subject="Also: the invoice",
                message_id=_id("also")),
    ):
        assert post(raw).status_code == 200

    with CaptureQueriesContext(connection) as captured:
        drained()

    # In batches (a savepoint each inside the test's own transaction; a batch takes up to
    # half of the lanes waiting), not a transaction per message.
    savepoints = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert 1 <= len(savepoints) <= 2
    fay = list(Interaction.objects.filter(author_identity__value="fay@example.com")
               .order_by("id").values_list("subject", "conversation_id"))
    assert [subject for subject, _ in fay] == ["Broken hinge", "Re: Broken hinge"]
    assert fay[0][1] == fay[1][1]
    gus = Interaction.objects.filter(author_identity__value="gus@example.com").order_by("id")
    assert [i.subject for i in gus] == ["Wrong colour", "Also: the invoice"]


def test_a_message_the_database_refuses_waits_in_the_spool_until_it_can_be_recorded(
    email_inbox, django_capture_on_commit_callbacks
):
    before = set(spooled_files())
    assert post(compose(sender="hal@example.com", subject="Refuse me",
                        message_id=_id("refused"))).status_code == 200
    [stored] = set(spooled_files()) - before

    with database_refusing("Refuse me"):
        drain_until_postponed()

    event = SpooledEvent.objects.get(handler=HANDLER)
    assert event.attempts == 1 and "refused here" in event.last_error
    assert event.retry_at is not None
    assert not Interaction.objects.filter(subject="Refuse me").exists()
    assert stored in spooled_files()  # kept for the next attempt

    SpooledEvent.objects.update(retry_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        drained()

    assert Interaction.objects.filter(subject="Refuse me").count() == 1
    assert not SpooledEvent.objects.exists()
    assert stored not in spooled_files()


def test_a_message_no_inbox_holds_is_refused_at_once_so_the_esp_retries(db):
    """No email inbox: nothing is spooled, and the ESP is told to deliver it again."""
    before = set(spooled_files())
    response = post(compose(sender="ida@example.com", subject="Anyone?", message_id=_id("x")),
                    Client(raise_request_exception=False))

    assert response.status_code == 500
    assert not SpooledEvent.objects.exists()
    assert set(spooled_files()) == before


def test_with_the_spool_off_the_webhook_records_the_message_itself(email_inbox, settings):
    settings.OMNIDESK_SPOOL = False
    message_id = _id("direct")
    assert post(compose(sender="jo@example.com", subject="Direct",
                        message_id=message_id)).status_code == 200

    assert Interaction.objects.filter(provider_id=message_id).exists()
    assert not SpooledEvent.objects.exists()
