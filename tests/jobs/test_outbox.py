"""The job outbox: work a change needs is recorded with the change, published after
commit, published again by the relay when the broker lost it, and deleted once run."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from conversations.actions.ingest import do_record_inbound
from conversations.models import Conversation
from jobs.models import Job
from jobs.outbox import enqueue_job
from jobs.publisher import broker_paused
from jobs.relay import relay_due_jobs
from realtime.tasks import prune_events_task
from tests.factories import inbound
from tests.jobs.conftest import purge_queue, queue_length
from tests.waiting import wait_for

ROUTE_TASK = "routing.tasks.route_inbound_task"


class Boom(Exception):
    pass


def test_a_job_exists_exactly_when_its_change_commits(db):
    with pytest.raises(Boom), transaction.atomic():
        enqueue_job(prune_events_task)
        raise Boom
    assert Job.objects.count() == 0

    with transaction.atomic():
        job = enqueue_job(prune_events_task)
    stored = Job.objects.get()
    assert (stored.pk, stored.task, stored.args) == (job.pk, "realtime.tasks.prune_events_task", [])


def test_an_inbound_records_its_routing_job_once_and_a_retry_none(db, api_inbox):
    event = inbound(api_inbox, "api", "email", "ana@example.com", "Hello", provider_id="p-1")
    first = do_record_inbound(event)
    do_record_inbound(inbound(api_inbox, "api", "email", "ana@example.com", "Hello",
                              provider_id="p-1"))

    [job] = Job.objects.all()
    assert job.task == ROUTE_TASK
    assert job.args == [first.conversation.pk, first.interaction.pk, True]


@pytest.mark.usefixtures("celery_worker")
def test_the_worker_runs_the_job_and_deletes_it(transactional_db, api_inbox):
    result = do_record_inbound(inbound(api_inbox, "api", "email", "ana@example.com", "Hi"))

    wait_for(lambda: Conversation.objects.filter(
        pk=result.conversation.pk, first_response_due_at__isnull=False).exists())
    wait_for(lambda: not Job.objects.exists())


def test_with_the_broker_down_the_change_commits_and_the_job_waits_due(
    transactional_db, api_inbox, broker_down
):
    with broker_down():
        result = do_record_inbound(inbound(api_inbox, "api", "email", "ana@example.com", "Hi"))
        assert broker_paused()
        # The next change does not even try the broker while it is known to be down.
        do_record_inbound(inbound(api_inbox, "api", "email", "bo@example.com", "Hey"))

    assert Conversation.objects.count() == 2
    jobs = list(Job.objects.order_by("id"))
    assert [j.args[0] for j in jobs] == [
        result.conversation.pk, Conversation.objects.latest("id").pk
    ]
    for job in jobs:
        assert job.due_at == job.run_at  # due at once: the relay publishes it
        assert job.last_error == "not published yet"


def test_the_relay_publishes_due_jobs_when_the_broker_is_back_and_the_worker_runs_them(
    transactional_db, api_inbox, broker_down, celery_worker
):
    with broker_down():
        results = [
            do_record_inbound(inbound(api_inbox, "api", "email", f"c{i}@example.com", "Hi"))
            for i in range(3)
        ]
    assert Job.objects.count() == 3

    assert relay_due_jobs() == 3

    for result in results:
        wait_for(lambda r=result: Conversation.objects.filter(
            pk=r.conversation.pk, first_response_due_at__isnull=False).exists())
    wait_for(lambda: not Job.objects.exists())


def test_a_published_job_lost_by_the_broker_is_published_again_once_due(
    transactional_db, api_inbox
):
    purge_queue()
    do_record_inbound(inbound(api_inbox, "api", "email", "ana@example.com", "Hi"))
    job = Job.objects.get()
    assert job.due_at > timezone.now() + timedelta(minutes=4)  # published: not due for long
    assert queue_length() == 1
    assert relay_due_jobs() == 0

    purge_queue()  # the broker restarted and forgot its queue
    Job.objects.filter(pk=job.pk).update(due_at=timezone.now() - timedelta(seconds=1))
    assert relay_due_jobs() == 1
    assert queue_length() == 1
    job.refresh_from_db()
    assert job.attempts == 1
    assert job.due_at > timezone.now() + timedelta(minutes=4)


def test_a_countdown_job_is_not_due_before_its_time_plus_the_redelivery_window(db):
    with transaction.atomic():
        job = enqueue_job(prune_events_task, countdown=60)
    assert job.run_at - job.created_at >= timedelta(seconds=59)
    assert job.due_at - job.run_at == timedelta(seconds=300)


def test_two_relays_at_once_publish_each_job_once(transactional_db):
    purge_queue()
    past = timezone.now() - timedelta(seconds=1)
    Job.objects.bulk_create([
        Job(task="realtime.tasks.prune_events_task", args=[], run_at=past, due_at=past)
        for _ in range(40)
    ])
    counts: list[int] = []
    barrier = threading.Barrier(2)

    def relay() -> None:
        barrier.wait()
        try:
            counts.append(relay_due_jobs(limit=40))
        finally:
            connection.close()

    threads = [threading.Thread(target=relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(counts) == 40
    assert queue_length() == 40
    assert set(Job.objects.values_list("attempts", flat=True)) == {1}


def test_a_job_of_an_unknown_task_waits_an_hour_and_says_why(db):
    past = timezone.now() - timedelta(seconds=1)
    job = Job.objects.create(task="gone.tasks.nothing", args=[], run_at=past, due_at=past)

    assert relay_due_jobs() == 0

    job.refresh_from_db()
    assert job.last_error == "no Celery task named 'gone.tasks.nothing'"
    assert job.due_at > timezone.now() + timedelta(minutes=59)
