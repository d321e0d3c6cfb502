"""The inbound spool: a webhook accepts a message in one INSERT; the drain records it
through the pipeline, several per transaction, one sender's in the order they came."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from channels_sms.actions import SPOOLED_MESSAGE, do_accept_message
from channels_sms.parse import parse_message
from conversations.models import Conversation, Interaction
from realtime.models import RealtimeEvent
from spool.accept import lane_of
from spool.drain import LaneBusy, drain_lane, drain_lanes
from spool.listener import CHANNEL, listen_and_drain
from spool.models import SpooledEvent
from tests.sms.conftest import CUSTOMER, INBOUND_PATH, payload
from tests.twilio.signing import sign
from tests.waiting import wait_for

OTHER = "+14155550199"


def _post(client: Any, params: dict[str, str]) -> Any:
    """The webhook as Twilio calls it, and nothing after it (no drain of the test's)."""
    return client.post(
        INBOUND_PATH, data=urlencode(params), content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=sign(params, f"http://testserver{INBOUND_PATH}"),
    )


def _message(n: int, sender: str = CUSTOMER, **overrides: str) -> dict[str, str]:
    return payload("sms_inbound", sid=f"SM{n:032d}", From=sender, Body=f"message {n}",
                   **overrides)


def _accept(inbox: Any, params: dict[str, str]) -> None:
    do_accept_message(parse_message(inbox, params), params)


@pytest.mark.django_db
def test_the_webhook_answers_with_the_message_spooled_not_yet_recorded(client, twilio_inbox):
    response = _post(client, _message(1))

    assert response.status_code == 200
    assert b"<Response" in response.content
    spooled = SpooledEvent.objects.get()
    assert spooled.handler == SPOOLED_MESSAGE
    assert spooled.lane == lane_of(CUSTOMER)
    assert spooled.payload["params"]["Body"] == "message 1"
    assert not Interaction.objects.exists()


@pytest.mark.django_db
def test_a_retry_while_the_first_copy_waits_is_spooled_once(client, twilio_inbox):
    assert _post(client, _message(1)).status_code == 200
    assert _post(client, _message(1)).status_code == 200
    assert SpooledEvent.objects.count() == 1


@pytest.mark.django_db
def test_a_batch_is_one_transaction_without_savepoints_in_the_order_accepted(twilio_inbox):
    for n in range(6):
        _accept(twilio_inbox, _message(n, CUSTOMER if n % 2 else OTHER))
    lanes = sorted({lane_of(CUSTOMER), lane_of(OTHER)})

    with CaptureQueriesContext(connection) as queries:
        taken = sum(drain_lane(lane) for lane in lanes)

    assert taken == 6
    assert not SpooledEvent.objects.exists()
    sql = [q["sql"] for q in queries.captured_queries]
    # One per batch, since the test's transaction holds them all; none per event.
    assert len([s for s in sql if s.startswith("SAVEPOINT")]) == len(lanes)
    # The batch's realtime events (two per message) in one statement.
    assert len([s for s in sql if s.startswith("WITH input")]) == len(lanes)
    assert RealtimeEvent.objects.filter(name="interaction.created").count() == 6
    for sender in (CUSTOMER, OTHER):
        texts = list(Interaction.objects.filter(author_identity__value=sender)
                     .order_by("id").values_list("text", flat=True))
        assert texts == [f"message {n}" for n in range(6) if (sender == CUSTOMER) == (n % 2 == 1)]
    assert Conversation.objects.count() == 2


@pytest.mark.django_db
def test_an_event_recorded_since_is_skipped_and_the_rest_of_its_batch_recorded(twilio_inbox):
    _accept(twilio_inbox, _message(1))
    drain_lane(lane_of(CUSTOMER))
    # The provider retried after the first copy was recorded: spooled again.
    for n in (1, 2, 3):
        _accept(twilio_inbox, _message(n))

    assert drain_lane(lane_of(CUSTOMER)) == 3

    assert list(Interaction.objects.order_by("id").values_list("text", flat=True)) == [
        "message 1", "message 2", "message 3"]
    assert not SpooledEvent.objects.exists()


@pytest.mark.django_db
def test_an_event_that_fails_stays_with_its_error_and_is_tried_again_later(twilio_inbox):
    _accept(twilio_inbox, _message(1))
    broken = SpooledEvent.objects.get()
    broken.payload["inbox"] = twilio_inbox.pk + 1000  # an inbox deleted since
    broken.save()
    _accept(twilio_inbox, _message(2))

    assert drain_lane(lane_of(CUSTOMER)) == 2

    assert list(Interaction.objects.values_list("text", flat=True)) == ["message 2"]
    broken.refresh_from_db()
    assert broken.attempts == 1
    assert "LookupError" in broken.last_error
    assert broken.retry_at > timezone.now()
    assert drain_lane(lane_of(CUSTOMER)) == 0  # not due yet

    broken.payload["inbox"] = twilio_inbox.pk
    broken.retry_at = timezone.now() - timedelta(seconds=1)
    broken.save()
    assert drain_lane(lane_of(CUSTOMER)) == 1
    assert Interaction.objects.count() == 2
    assert not SpooledEvent.objects.exists()


@pytest.mark.django_db
def test_an_event_the_database_refuses_is_kept_and_the_rest_of_its_batch_recorded(
    twilio_inbox,
):
    """A statement of one event fails in the database (here a trigger refuses its row;
    its INSERT was sent without waiting, so the error comes later in the batch): the
    batch is rolled back and recorded one by one, and only that event waits."""
    with connection.cursor() as cursor:  # DDL of the test's transaction, rolled back
        cursor.execute(
            "CREATE FUNCTION refuse_message_2() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN IF NEW.text = 'message 2' THEN RAISE EXCEPTION 'refused here'; END IF; "
            "RETURN NEW; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER refuse_message_2 BEFORE INSERT ON conversations_interaction "
            "FOR EACH ROW EXECUTE FUNCTION refuse_message_2()"
        )
    for n in (1, 2, 3):
        _accept(twilio_inbox, _message(n))

    assert drain_lane(lane_of(CUSTOMER)) == 3

    assert list(Interaction.objects.order_by("id").values_list("text", flat=True)) == [
        "message 1", "message 3"]
    kept = SpooledEvent.objects.get()
    assert kept.payload["params"]["Body"] == "message 2"
    assert kept.attempts == 1 and "refused here" in kept.last_error


@pytest.mark.django_db(transaction=True)
def test_the_drain_thread_records_what_the_webhook_accepted(client, twilio_inbox):
    for n in range(5):
        assert _post(client, _message(n)).status_code == 200

    wait_for(lambda: Interaction.objects.count() == 5)
    wait_for(lambda: not SpooledEvent.objects.exists())
    assert list(Interaction.objects.order_by("id").values_list("text", flat=True)) == [
        f"message {n}" for n in range(5)]


@pytest.mark.django_db(transaction=True)
def test_a_lane_another_drain_holds_is_left_to_it(twilio_inbox, settings):
    settings.OMNIDESK_SPOOL = True
    _accept(twilio_inbox, _message(1))  # autocommit: the thread may record it at once
    lane = lane_of(CUSTOMER)
    params = connection.get_connection_params()
    dsn = {k: v for k, v in params.items() if k in ("host", "port", "user", "dbname")}
    with psycopg.connect(**dsn, autocommit=False) as other:
        other.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x5350, lane])
        with pytest.raises(LaneBusy):
            drain_lane(lane)
    wait_for(lambda: Interaction.objects.count() == 1)


@pytest.mark.django_db
def test_with_the_spool_off_the_webhook_records_before_answering(client, twilio_inbox, settings):
    settings.OMNIDESK_SPOOL = False
    assert _post(client, _message(1)).status_code == 200
    assert Interaction.objects.get().text == "message 1"
    assert not SpooledEvent.objects.exists()



@pytest.mark.django_db(transaction=True)
def test_drain_processes_record_what_web_processes_accept(client, twilio_inbox, settings):
    settings.OMNIDESK_SPOOL_DRAIN = "process"
    assert _post(client, _message(0)).status_code == 200
    time.sleep(0.5)
    assert not Interaction.objects.exists()  # nobody drains in the web process

    stop = threading.Event()
    listener = threading.Thread(target=listen_and_drain, args=(stop,))
    listener.start()
    try:
        wait_for(lambda: Interaction.objects.count() == 1)  # found when it started
        for n in range(1, 6):  # each NOTIFY on commit wakes it
            assert _post(client, _message(n)).status_code == 200
        wait_for(lambda: Interaction.objects.count() == 6)
    finally:
        stop.set()
        listener.join(timeout=30)
    assert not listener.is_alive()
    assert list(Interaction.objects.order_by("id").values_list("text", flat=True)) == [
        f"message {n}" for n in range(6)]
    assert not SpooledEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_for_drain_processes_the_insert_is_the_notify_sent_on_commit(twilio_inbox, settings):
    settings.OMNIDESK_SPOOL_DRAIN = "process"
    params = connection.get_connection_params()
    dsn = {k: v for k, v in params.items() if k in ("host", "port", "user", "dbname")}
    with psycopg.connect(**dsn, autocommit=True) as listening:
        listening.execute(f"LISTEN {CHANNEL}")

        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            _accept(twilio_inbox, _message(1))
            assert not list(listening.notifies(timeout=0.3))  # not before the commit
        with pytest.raises(RuntimeError), transaction.atomic():
            _accept(twilio_inbox, _message(2, OTHER))
            raise RuntimeError("rolled back")

        notes = list(listening.notifies(timeout=1.0))
    # One statement: the INSERT names the lane to wake. The rolled-back event woke none.
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["BEGIN", "WITH",
                                                                      "COMMIT"]
    assert [note.payload for note in notes] == [str(lane_of(CUSTOMER))]
    assert SpooledEvent.objects.get().lane == lane_of(CUSTOMER)


@pytest.mark.django_db(transaction=True)
def test_a_drain_takes_the_free_lanes_and_names_the_busy_ones(twilio_inbox, settings):
    settings.OMNIDESK_SPOOL_LANES = 1024  # the two senders in lanes of their own
    busy, free = lane_of(CUSTOMER), lane_of(OTHER)
    assert busy != free
    params = connection.get_connection_params()
    dsn = {k: v for k, v in params.items() if k in ("host", "port", "user", "dbname")}
    with psycopg.connect(**dsn, autocommit=False) as other:
        other.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x5350, busy])
        with transaction.atomic():  # spooled together; the drain thread waits for commit
            for n in range(4):
                _accept(twilio_inbox, _message(n, CUSTOMER if n % 2 else OTHER))
        wait_for(lambda: Interaction.objects.count() == 2)  # the free lane's, at once
        assert set(Interaction.objects.values_list("text", flat=True)) == {
            "message 0", "message 2"}
        drained = drain_lanes([busy, free])
        assert (drained.taken, drained.busy) == (0, [busy])
    wait_for(lambda: Interaction.objects.count() == 4)  # retried once the lane was free


@pytest.mark.django_db
def test_a_batch_takes_half_the_waiting_lanes_and_the_drain_the_rest_after(
        twilio_inbox, settings):
    settings.OMNIDESK_SPOOL_LANES = 1024
    senders = [f"+1415555{n:04d}" for n in range(4)]
    assert len({lane_of(sender) for sender in senders}) == 4
    for n in range(8):
        _accept(twilio_inbox, _message(n, senders[n % 4]))

    with CaptureQueriesContext(connection) as queries:
        drained = drain_lanes([lane_of(sender) for sender in senders])

    locks = [q["sql"] for q in queries.captured_queries if "pg_try_advisory" in q["sql"]]
    # Half of the lanes waiting a batch (another drain could take the rest meanwhile):
    # two of four, then one of the other two, then the last.
    assert [sql.rsplit(" ", 1)[-1] for sql in locks] == ["2", "1", "1"]
    assert (drained.taken, drained.busy) == (8, [])
    for sender in senders:
        texts = list(Interaction.objects.filter(author_identity__value=sender)
                     .order_by("id").values_list("text", flat=True))
        assert texts == [f"message {n}" for n in range(8) if senders[n % 4] == sender]
