"""omnidesk.fastsql.pipelined: writes that need no answer travel with the next statement
that waits; every other statement (the ORM's) is answered at once, as outside the block."""

from __future__ import annotations

import os

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from conversations import hotpath
from conversations.actions.ingest import do_record_inbound
from conversations.models import Conversation, Interaction
from customers.models import Customer, Identity
from jobs.models import Job
from jobs.outbox import enqueue_job
from omnidesk.fastsql import Conflict, ReservedKeys, pipelined, reserve_keys, update_row
from tests.factories import inbound

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(email_inbox):
    return do_record_inbound(inbound(email_inbox, "email", "email", "ann@example.com",
                                     "first", provider_id="<1@x>", sender_name="Ann"))


def _interaction_like(recorded, provider_id: str) -> Interaction:
    original = recorded.interaction
    return Interaction(
        conversation=original.conversation, customer_id=original.customer_id,
        inbox=original.inbox, channel="email", direction="inbound", kind="message",
        author_identity=original.author_identity, text="again", provider_id=provider_id,
        occurred_at=original.occurred_at,
    )


def test_writes_that_need_no_answer_wait_for_none_until_a_read(recorded, pipeline_syncs):
    conversation = Conversation.objects.get(pk=recorded.conversation.pk)
    with transaction.atomic(), pipelined():
        [reserved] = reserve_keys(Interaction, 1)
        before = pipeline_syncs[0]
        row = _interaction_like(recorded, "<2@x>")
        row.pk = reserved
        assert hotpath.insert_interaction_unless_recorded(row) is True
        for subject in ("one", "two", "three"):
            conversation.subject = subject
            update_row(conversation)
        assert pipeline_syncs[0] == before  # nothing waited for yet
        assert Conversation.objects.get(pk=conversation.pk).subject == "three"
        assert pipeline_syncs[0] == before + 1  # the read, and the writes before it, in one
    stored = Interaction.objects.get(pk=reserved)
    assert (stored.provider_id, stored.text) == ("<2@x>", "again")
    assert not row._state.adding


def test_reserved_ids_are_the_sequences_next_ones(recorded):
    ids = reserve_keys(Interaction, 3)
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert ids[0] > recorded.interaction.pk
    later = do_record_inbound(inbound(recorded.interaction.inbox, "email", "email",
                                      "ann@example.com", "later", provider_id="<3@x>"))
    assert later.interaction.pk > ids[-1]


def test_a_deferred_insert_that_conflicts_raises_when_the_block_ends(recorded):
    retry = _interaction_like(recorded, "<1@x>")  # the provider id recorded above
    [retry.pk] = reserve_keys(Interaction, 1)
    with pytest.raises(Conflict) as raised, transaction.atomic(), pipelined():
        assert hotpath.insert_interaction_unless_recorded(retry) is True  # not known yet
        Customer.objects.filter(pk=recorded.interaction.customer_id).update(name="Changed")
    assert raised.value.instance is retry
    assert Interaction.objects.filter(provider_id="<1@x>").count() == 1
    assert Customer.objects.get(pk=recorded.interaction.customer_id).name == "Ann"  # rolled back


def test_the_orms_writes_in_the_block_are_answered_at_once(recorded):
    """Django reads rowcount right after an UPDATE (save() of a saved row, update()):
    without its answer it would take the row for missing and INSERT it."""
    customer = Customer.objects.get(pk=recorded.interaction.customer_id)
    with transaction.atomic(), pipelined():
        assert Customer.objects.filter(pk=customer.pk).update(name="Bea") == 1
        customer.name = "Cy"
        customer.save()
        customer.save(update_fields=["name"])
        assert Customer.objects.filter(pk=customer.pk).count() == 1
    assert Customer.objects.get(pk=customer.pk).name == "Cy"


def test_an_error_a_savepoint_catches_leaves_the_block_usable(recorded):
    identity = recorded.interaction.author_identity
    with transaction.atomic(), pipelined():
        with pytest.raises(IntegrityError), transaction.atomic():
            Identity.objects.create(customer_id=identity.customer_id, kind=identity.kind,
                                    value=identity.value)
        assert Identity.objects.filter(value=identity.value).count() == 1
        Customer.objects.filter(pk=identity.customer_id).update(name="After")
    assert Customer.objects.get(pk=identity.customer_id).name == "After"


def test_a_deferred_writes_error_is_raised_by_the_next_statement_that_waits(recorded):
    conversation = Conversation.objects.get(pk=recorded.conversation.pk)
    conversation.subject = "x" * 501  # longer than the column
    with pytest.raises(DataError), transaction.atomic(), pipelined():
        update_row(conversation)  # sent, not answered
        Conversation.objects.get(pk=conversation.pk)
    assert Conversation.objects.get(pk=conversation.pk).subject == recorded.conversation.subject
    assert connection.connection.pgconn.pipeline_status == 0  # out of pipeline mode


def test_a_nested_block_is_the_outer_one(recorded, pipeline_syncs):
    conversation = Conversation.objects.get(pk=recorded.conversation.pk)
    with transaction.atomic(), pipelined():
        before = pipeline_syncs[0]
        with pipelined():
            conversation.subject = "nested"
            update_row(conversation)
        assert pipeline_syncs[0] == before  # the inner block's end waits for nothing
    assert Conversation.objects.get(pk=conversation.pk).subject == "nested"


def test_a_deferred_writes_error_at_the_end_of_the_block_is_djangos(recorded):
    """Nothing waited after it: leaving pipeline mode raises it, as Django's error."""
    conversation = Conversation.objects.get(pk=recorded.conversation.pk)
    conversation.subject = "x" * 501
    with pytest.raises(DataError), transaction.atomic(), pipelined():
        update_row(conversation)
    assert Conversation.objects.get(pk=conversation.pk).subject == recorded.conversation.subject


def test_keys_reserved_a_block_at_a_time_are_new_and_distinct(db):
    keys = ReservedKeys(Job, block=3)
    with CaptureQueriesContext(connection) as captured:
        taken = [keys.take() for _ in range(4)]
    assert taken == sorted(taken) and len(set(taken)) == 4
    assert sum("nextval" in q["sql"] for q in captured.captured_queries) == 2  # 3, then 1
    assert not Job.objects.filter(pk__in=taken).exists()


def test_a_job_enqueued_in_a_pipelined_block_waits_for_no_answer(db, pipeline_syncs):
    enqueue_job("jobs.tests.nothing")  # outside: its key is the INSERT's answer
    with transaction.atomic(), pipelined():
        enqueue_job("jobs.tests.nothing", 1)  # the first may reserve a block of keys
        before = pipeline_syncs[0]
        jobs = [enqueue_job("jobs.tests.nothing", n) for n in (2, 3)]
        assert pipeline_syncs[0] == before
        assert all(job.pk is not None and not job._state.adding for job in jobs)
    stored = Job.objects.filter(pk__in=[job.pk for job in jobs]).order_by("pk")
    assert [job.args for job in stored] == [[2], [3]]


def test_a_forked_process_does_not_reuse_its_parents_reserved_keys(db, monkeypatch):
    keys = ReservedKeys(Job, block=10)
    parent = keys.take()
    parent_pid = os.getpid()
    monkeypatch.setattr(os, "getpid", lambda: parent_pid + 1)  # as in a forked child
    in_child = keys.take()
    assert in_child not in range(parent, parent + 10)  # a block of its own
    assert keys.take() == in_child + 1
