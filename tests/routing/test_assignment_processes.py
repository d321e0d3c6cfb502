"""With 2 real worker processes (each with beat), PostgreSQL and Redis: N conversations
arriving at once are each assigned at most once, nobody goes over capacity, every
assignable one is assigned; then an agent resolves one and the oldest waiting
conversation of the team is assigned to them.

N is ROUTING_STRESS_N (default 1000)."""

from __future__ import annotations

import os
import time
from collections import Counter

import pytest
from django.db.models import Count
from django.utils import timezone

from agents.models import Agent, Team
from conversations.actions.ingest import do_record_inbound
from conversations.actions.update import do_update_conversation
from conversations.models import Conversation
from jobs.models import Job
from routing.assignment import waiting_queue
from tests.conftest import make_user
from tests.factories import inbound

N = int(os.environ.get("ROUTING_STRESS_N", "1000"))
AGENTS = 20
CAPACITY = 10


def _release_jobs() -> None:
    """The test process published its jobs to its own broker, not the stack's: due now,
    the workers' relay publishes them to theirs."""
    Job.objects.update(due_at=timezone.now())


def _wait(condition, timeout: float, what: str) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout} s: {what}")


@pytest.mark.timeout(900)
def test_n_conversations_at_once_on_two_worker_processes(stack, email_inbox, team_a: Team):
    team_a.capacities = {"email": CAPACITY}
    team_a.save()
    users = [make_user(f"agent{i:02d}", "agent", [team_a]) for i in range(AGENTS)]
    # Online, with a heartbeat the presence sweep leaves alone during the test.
    Agent.objects.filter(user__in=users).update(
        presence="online", last_heartbeat_at=timezone.now() + timezone.timedelta(hours=1))
    conversations = [
        do_record_inbound(inbound(email_inbox, "email", "email", f"c{i}@example.com", "Hi"))
        .conversation.pk
        for i in range(N)
    ]
    stack.worker("one")
    stack.worker("two")
    _release_jobs()
    assignable = min(N, AGENTS * CAPACITY)
    took = _wait(
        lambda: Conversation.objects.filter(assignee__isnull=False).count() >= assignable
        and not Job.objects.exists(),
        600, f"{assignable} assigned and every job done",
    )
    assigned = Conversation.objects.filter(pk__in=conversations, assignee__isnull=False)
    assert assigned.count() == assignable
    per_agent = Counter(assigned.values_list("assignee_id", flat=True))
    assert max(per_agent.values()) <= CAPACITY
    assert sorted(per_agent) == sorted(u.pk for u in users)  # all have room used
    # Each assigned at most once: one "assigned" timeline event per conversation.
    events = (Conversation.objects.filter(pk__in=conversations)
              .annotate(n=Count("interactions", filter=_assigned_event()))
              .values_list("n", flat=True))
    assert max(events) == 1 and sum(events) == assignable
    print(f"\n{N} conversations, 2 worker processes: {assignable} assigned in {took:.1f} s")

    if assignable >= N:
        return
    oldest_waiting = waiting_queue(team_a.pk).first()
    assert oldest_waiting is not None
    someone = users[3]
    theirs = Conversation.objects.filter(assignee=someone).first()
    assert theirs is not None
    do_update_conversation(theirs, by=someone, changes={"status": "resolved"})
    _release_jobs()
    took = _wait(lambda: Conversation.objects.get(pk=oldest_waiting.pk).assignee_id
                 == someone.pk, 30, "the oldest waiter assigned to the agent with room")
    print(f"resolved -> oldest waiter assigned in {took:.2f} s")
    per_agent = Counter(Conversation.objects.filter(status="open", assignee__isnull=False)
                        .values_list("assignee_id", flat=True))
    assert max(per_agent.values()) <= CAPACITY


def _assigned_event():
    from django.db.models import Q

    return Q(interactions__event_type="assigned")
