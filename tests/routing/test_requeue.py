"""When routing has work: a conversation that starts waiting in a team's queue is
assigned, and a message into one that already waits there (which changes no agent's
room) costs no routing job."""

from __future__ import annotations

import pytest

from conversations.actions.ingest import do_record_inbound
from conversations.actions.update import do_update_conversation
from conversations.models import Conversation, ConversationStatus
from jobs.models import Job
from tests.factories import inbound

pytestmark = pytest.mark.django_db

ROUTE = "routing.tasks.route_inbound_task"
ASSIGN = "routing.tasks.assign_team_task"


def _jobs(task: str) -> list[list[object]]:
    return [job.args for job in Job.objects.filter(task=task).order_by("pk")]


def _mail(inbox, text: str, n: int):
    return do_record_inbound(inbound(inbox, "email", "email", "ann@example.com", text,
                                     provider_id=f"<{n}@x>"))


def test_a_follow_up_into_a_waiting_conversation_costs_no_job(email_inbox, team_a):
    first = _mail(email_inbox, "first", 1)
    assert first.conversation.team_id == team_a.pk and first.conversation.assignee_id is None
    assert len(_jobs(ROUTE)) == 1
    follow_up = _mail(email_inbox, "anyone there?", 2)
    assert follow_up.conversation.pk == first.conversation.pk
    assert len(_jobs(ROUTE)) == 1


def test_a_message_reopening_an_unassigned_conversation_is_routed(email_inbox, team_a):
    first = _mail(email_inbox, "first", 1)
    Conversation.objects.filter(pk=first.conversation.pk).update(
        status=ConversationStatus.SNOOZED)
    reopened = _mail(email_inbox, "still broken", 2)
    assert reopened.conversation.pk == first.conversation.pk
    assert reopened.conversation.status == ConversationStatus.OPEN
    assert _jobs(ROUTE)[-1] == [first.conversation.pk, reopened.interaction.pk, False]


def test_unassigning_an_open_conversation_asks_its_team_to_assign(email_inbox, team_a,
                                                                    agent_a, lead):
    conversation = _mail(email_inbox, "first", 1).conversation
    do_update_conversation(conversation, by=lead, changes={"assignee": agent_a})
    assert _jobs(ASSIGN) == []
    do_update_conversation(conversation, by=lead, changes={"assignee": None})
    assert _jobs(ASSIGN) == [[team_a.pk]]


def test_moving_a_waiting_conversation_asks_the_new_team(email_inbox, team_a, team_b, lead):
    conversation = _mail(email_inbox, "first", 1).conversation
    do_update_conversation(conversation, by=lead, changes={"priority": 3})
    assert _jobs(ASSIGN) == []  # it waited in team A before, and still does
    do_update_conversation(conversation, by=lead, changes={"team": team_b})
    assert _jobs(ASSIGN) == [[team_b.pk]]


def test_reopening_by_hand_without_an_assignee_asks_the_team(email_inbox, team_a, lead):
    conversation = _mail(email_inbox, "first", 1).conversation
    do_update_conversation(conversation, by=lead, changes={"status": ConversationStatus.RESOLVED})
    before = len(_jobs(ASSIGN))
    do_update_conversation(conversation, by=lead, changes={"status": ConversationStatus.OPEN})
    assert _jobs(ASSIGN)[before:] == [[team_a.pk]]
