"""Assignment inside a team: round robin or least busy among online agents with room,
the waiting queue by priority then SLA due, capacity freed on resolve, an agent coming
online; calls ring only online agents of the team with a free call slot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agents.actions.presence import do_heartbeat
from agents.models import Agent, Team
from channels_voice.ringing import agents_to_ring
from conversations.actions.ingest import do_record_inbound
from conversations.actions.update import do_update_conversation
from conversations.models import Conversation
from jobs.models import Job
from routing.actions.assign import do_assign_waiting
from routing.tasks import assign_team_task
from tests.conftest import make_user
from tests.factories import inbound

pytestmark = pytest.mark.django_db


def _mail(inbox, sender: str, minutes_ago: int = 0):
    at = timezone.now() - timedelta(minutes=minutes_ago)
    return do_record_inbound(
        inbound(inbox, "email", "email", sender, "Hi", occurred_at=at)).conversation


def _assignees(*conversations) -> list[int | None]:
    return [Conversation.objects.get(pk=c.pk).assignee_id for c in conversations]


def _online(*users) -> None:
    for user in users:
        do_heartbeat(user.pk)


@pytest.fixture
def two_agents(team_a: Team):
    team_a.capacities = {"email": 1}
    team_a.save()
    users = [make_user(name, "agent", [team_a]) for name in ("ann", "ben")]
    return users


def test_round_robin_within_capacity_and_the_queue_order(email_inbox, team_a, two_agents):
    ann, ben = two_agents
    old = _mail(email_inbox, "old@example.com", minutes_ago=30)
    new = _mail(email_inbox, "new@example.com", minutes_ago=5)
    urgent = _mail(email_inbox, "urgent@example.com", minutes_ago=1)
    do_update_conversation(urgent, by=None, changes={"priority": 3})
    assert do_assign_waiting(team_a.pk) == 0  # nobody online
    _online(ann, ben)
    assert do_assign_waiting(team_a.pk) == 2
    # Urgent first, then the response due soonest (the oldest); one each (capacity 1).
    assert _assignees(urgent, old, new) == [ann.pk, ben.pk, None]
    assert do_assign_waiting(team_a.pk) == 0

    jobs_before = Job.objects.filter(task="routing.tasks.assign_team_task").count()
    do_update_conversation(old, by=ben, changes={"status": "resolved"})
    assert Job.objects.filter(task="routing.tasks.assign_team_task").count() == jobs_before + 1
    assert assign_team_task(team_a.pk) == 1
    assert _assignees(new) == [ben.pk]


def test_a_pass_reads_the_online_agents_once_and_keeps_the_round_robin(
        email_inbox, team_a, two_agents):
    ann, ben = two_agents
    team_a.capacities = {"email": 3}
    team_a.save()
    waiting = [_mail(email_inbox, f"w{n}@example.com", minutes_ago=50 - n) for n in range(7)]
    _online(ann, ben)

    with CaptureQueriesContext(connection) as queries:
        assert do_assign_waiting(team_a.pk) == 6

    agent_reads = [q["sql"] for q in queries.captured_queries
                   if q["sql"].startswith('SELECT "agents_agent"') and "FOR UPDATE" not in q["sql"]]
    assert len(agent_reads) == 1  # not one per waiting conversation
    # Oldest first, alternating as each assignment moves its agent to the back; the
    # seventh waits: both are at capacity.
    assert _assignees(*waiting) == [ann.pk, ben.pk] * 3 + [None]


def test_pending_frees_room_and_least_busy_picks_the_lighter_agent(
    email_inbox, team_a, two_agents
):
    ann, ben = two_agents
    team_a.capacities = {"email": 3}
    team_a.assignment_mode = "least_busy"
    team_a.save()
    _online(ann, ben)
    first = _mail(email_inbox, "a@example.com", minutes_ago=10)
    do_update_conversation(first, by=None, changes={"assignee": ann})
    second = _mail(email_inbox, "b@example.com", minutes_ago=5)
    assert do_assign_waiting(team_a.pk) == 1
    assert _assignees(second) == [ben.pk]
    do_update_conversation(first, by=ann, changes={"status": "pending"})
    third = _mail(email_inbox, "c@example.com", minutes_ago=1)
    assert do_assign_waiting(team_a.pk) == 1
    assert _assignees(third) == [ann.pk]  # ann holds 0 open now, ben 1


def test_an_agent_coming_online_takes_waiters_and_an_agent_cap_overrides_the_team(
    email_inbox, team_a, two_agents
):
    ann, _ben = two_agents
    Agent.objects.filter(user=ann).update(capacities={"email": 2})
    waiting = [_mail(email_inbox, f"w{i}@example.com", minutes_ago=10 - i) for i in range(3)]
    Job.objects.all().delete()
    _online(ann)
    [job] = Job.objects.filter(task="routing.tasks.assign_team_task")
    assert job.args == [team_a.pk]
    assert assign_team_task(team_a.pk) == 2
    assert _assignees(*waiting) == [ann.pk, ann.pk, None]


def test_a_customer_language_is_matched_when_both_say(email_inbox, team_a, two_agents):
    ann, ben = two_agents
    Agent.objects.filter(user=ann).update(languages=["de"])
    Agent.objects.filter(user=ben).update(languages=["fr"])
    _online(ann, ben)
    conversation = _mail(email_inbox, "fr@example.com")
    conversation.customer.language = "fr"
    conversation.customer.save()
    assert do_assign_waiting(team_a.pk) == 1
    assert _assignees(conversation) == [ben.pk]


def test_a_call_rings_only_online_agents_of_the_team_with_a_free_call_slot(
    twilio_inbox, team_a, team_b
):
    free, busy, away, offline = [make_user(n, "agent", [team_a])
                                 for n in ("free", "busy", "away", "offline")]
    other_team = make_user("other", "agent", [team_b])
    _online(free, busy, away, other_team)
    Agent.objects.filter(user=away).update(away=True)
    do_heartbeat(away.pk)  # within the write throttle: set by hand instead
    from agents.actions.presence import do_set_presence

    do_set_presence(away, "away")
    call = do_record_inbound(inbound(twilio_inbox, "voice", "phone", "+14155550100", "",
                                     kind="call")).conversation
    do_update_conversation(call, by=None, changes={"assignee": busy})
    assert [a.user_id for a in agents_to_ring(team_a)] == [free.pk]
    assert offline.agent.presence == "offline"


def test_required_skills_from_a_rules_tags_go_to_a_skilled_agent_and_wait_otherwise(
    email_inbox, team_a, two_agents
):
    """A rule on the keyword "invoice" adds `skill:billing`: only an agent holding
    "Billing" takes it; without one online it waits, and does not hold up the others."""
    from routing.actions.rules import do_route
    from routing.models import RoutingRule

    ann, ben = two_agents
    RoutingRule.objects.create(name="Billing", conditions={"keywords": ["invoice"]},
                               add_tags=["skill:billing"])
    Agent.objects.filter(user=ben).update(skills=["Billing", "french"])
    _online(ann)
    billing = do_record_inbound(inbound(
        email_inbox, "email", "email", "b@example.com", "Wrong invoice",
        occurred_at=timezone.now() - timedelta(minutes=10)))
    do_route(billing.conversation.pk, billing.interaction.pk, created=True)
    plain = _mail(email_inbox, "p@example.com", minutes_ago=5)
    assert Conversation.objects.get(pk=billing.conversation.pk).tags == ["skill:billing"]
    assert do_assign_waiting(team_a.pk) == 1
    assert _assignees(billing.conversation, plain) == [None, ann.pk]
    _online(ben)
    assert do_assign_waiting(team_a.pk) == 1
    assert _assignees(billing.conversation) == [ben.pk]


def test_every_required_skill_must_be_held(email_inbox, team_a, two_agents):
    ann, ben = two_agents
    Agent.objects.filter(user=ann).update(skills=["billing"])
    Agent.objects.filter(user=ben).update(skills=["billing", "german"])
    _online(ann, ben)
    conversation = _mail(email_inbox, "x@example.com")
    do_update_conversation(conversation, by=None,
                           changes={"tags": ["skill:billing", "Skill:German", "vip"]})
    assert do_assign_waiting(team_a.pk) == 1
    assert _assignees(conversation) == [ben.pk]


def test_the_safety_net_visits_each_waiting_team_once(team_a, team_b, email_inbox):
    from datetime import timedelta

    from django.utils import timezone

    from conversations.models import Conversation
    from customers.models import Customer
    from routing.actions.assign import waiting_team_ids

    now = timezone.now()
    for n, team in enumerate([team_a, team_a, team_a, team_b, team_b]):
        customer = Customer.objects.create(name=f"Waiter {n}")
        Conversation.objects.create(customer=customer, team=team, status="open",
                                    last_activity_at=now - timedelta(minutes=n))
    assert sorted(waiting_team_ids()) == sorted([team_a.pk, team_b.pk])
