"""An admin deactivates an agent who left: their session stops working, they cannot sign
in, they are offline, their socket is closed, and their unresolved conversations are
unassigned (a job, through the conversation update action) and handed to a colleague by
routing. Reactivating lets them sign in again. An admin cannot deactivate themselves;
only admins deactivate."""

from __future__ import annotations

import asyncio
import logging

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from agents.actions.active import AgentActiveError, do_set_agent_active
from agents.actions.presence import do_heartbeat
from agents.models import Agent, AgentState, Presence
from agents.tasks import unassign_deactivated_task
from conversations.actions.ingest import do_record_inbound
from conversations.actions.update import do_update_conversation
from conversations.models import Conversation, Interaction
from jobs.models import Job
from realtime.models import RealtimeEvent
from routing.tasks import assign_team_task
from tests.conftest import PASSWORD, make_user
from tests.factories import inbound
from tests.realtime_helpers import connect_agent_socket, session_cookie_for

UNASSIGN = "agents.tasks.unassign_deactivated_task"
ASSIGN_TEAM = "routing.tasks.assign_team_task"


def _signed_in(username: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, username
    return client


def _admin(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _mail(inbox, sender: str) -> Conversation:
    return do_record_inbound(inbound(inbox, "email", "email", sender, "Hi")).conversation


def _jobs(task: str) -> list[list[int | None]]:
    return list(Job.objects.filter(task=task).order_by("pk").values_list("args", flat=True))


@pytest.mark.django_db
def test_deactivating_signs_out_and_hands_their_conversations_on(
    admin_user, agent_a, team_a, email_inbox, caplog
):
    open_one, pending, resolved = (_mail(email_inbox, f"c{i}@example.com") for i in range(3))
    for conversation, status in ((open_one, "open"), (pending, "pending"),
                                 (resolved, "resolved")):
        do_update_conversation(conversation, by=agent_a,
                               changes={"assignee": agent_a, "status": status})
    colleague = make_user("colleague", "agent", [team_a])
    do_heartbeat(colleague.pk)
    do_heartbeat(agent_a.pk)
    session = _signed_in("agent_a")
    assert session.get("/").status_code == 200
    Job.objects.all().delete()

    with caplog.at_level(logging.INFO, logger="agents.actions.active"):
        response = _admin(admin_user).post(
            reverse("settings-agent-deactivate", args=[agent_a.agent.pk]))
    assert response.status_code == 302

    agent = Agent.objects.select_related("user").get(user=agent_a)
    assert (agent.state, agent.presence, agent.last_heartbeat_at) == (
        AgentState.DEACTIVATED, Presence.OFFLINE, None)
    assert f"agent {agent_a.pk} deactivated (by admin)" in caplog.text
    [updated] = RealtimeEvent.objects.filter(name="agent.updated")
    assert updated.payload["user_id"] == agent_a.pk
    assert RealtimeEvent.objects.filter(name="agent.presence").last().payload["presence"] == (
        "offline")
    # Django refuses the session and the password.
    assert session.get("/")["Location"].startswith(reverse("login"))
    refused = Client().post(reverse("login"), {"username": "agent_a", "password": PASSWORD})
    assert refused.status_code == 200
    # A socket that pings once more does not bring them back online.
    do_heartbeat(agent_a.pk)
    agent.refresh_from_db()
    assert (agent.presence, agent.last_heartbeat_at) == (Presence.OFFLINE, None)

    assert _jobs(UNASSIGN) == [[agent_a.pk, admin_user.pk]]
    assert unassign_deactivated_task(agent_a.pk, admin_user.pk) == 2
    assert [c.assignee_id for c in Conversation.objects.filter(
        pk__in=[open_one.pk, pending.pk, resolved.pk]).order_by("pk")] == [None, None, agent_a.pk]
    assert Interaction.objects.filter(
        conversation=open_one, event_type="assigned").last().text == (
        "admin unassigned the conversation")
    # Routing is told the team has waiters: the open one goes to the colleague online.
    assert _jobs(ASSIGN_TEAM) == [[team_a.pk]]
    assert assign_team_task(team_a.pk) == 1
    assert Conversation.objects.get(pk=open_one.pk).assignee_id == colleague.pk
    # Run again (a retried job): nothing more to do.
    assert unassign_deactivated_task(agent_a.pk, admin_user.pk) == 0


@pytest.mark.django_db
def test_reactivating_lets_them_sign_in_again(admin_user, agent_a, email_inbox):
    conversation = _mail(email_inbox, "c@example.com")
    do_update_conversation(conversation, by=agent_a, changes={"assignee": agent_a})
    agent = agent_a.agent
    client = _admin(admin_user)
    client.post(reverse("settings-agent-deactivate", args=[agent.pk]))
    page = client.get(reverse("settings-agent", args=[agent.pk])).content.decode()
    assert "Deactivated" in page and "Reactivate" in page and "Deactivate…" not in page

    response = client.post(reverse("settings-agent-reactivate", args=[agent.pk]))
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.state == AgentState.ACTIVE
    assert _signed_in("agent_a").get("/").status_code == 200
    # The job queued by the deactivation runs late: they keep their conversation.
    assert unassign_deactivated_task(agent_a.pk, admin_user.pk) == 0
    assert Conversation.objects.get(pk=conversation.pk).assignee_id == agent_a.pk
    assert RealtimeEvent.objects.filter(name="agent.updated").count() == 2
    # Reactivating an active agent changes and publishes nothing.
    client.post(reverse("settings-agent-reactivate", args=[agent.pk]))
    assert RealtimeEvent.objects.filter(name="agent.updated").count() == 2


@pytest.mark.django_db
def test_the_confirmation_says_what_deactivating_does(admin_user, agent_a, email_inbox):
    for i in range(2):
        do_update_conversation(_mail(email_inbox, f"c{i}@example.com"), by=None,
                               changes={"assignee": agent_a})
    page = _admin(admin_user).get(reverse("settings-agent-deactivate", args=[agent_a.agent.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "unassigns their 2 unresolved conversations" in html
    assert '<button class="btn btn-danger" type="submit">' in html
    assert User.objects.get(pk=agent_a.pk).is_active


@pytest.mark.django_db
def test_an_admin_cannot_deactivate_themselves(admin_user):
    agent = admin_user.agent
    client = _admin(admin_user)
    assert "Deactivate…" not in client.get(
        reverse("settings-agent", args=[agent.pk])).content.decode()
    page = client.get(reverse("settings-agent-deactivate", args=[agent.pk])).content.decode()
    assert "You cannot deactivate yourself; ask another admin." in page
    assert '<button class="btn btn-danger" type="submit">' not in page
    response = client.post(reverse("settings-agent-deactivate", args=[agent.pk]))
    assert response.status_code == 400
    with pytest.raises(AgentActiveError):
        do_set_agent_active(agent, active=False, by=admin_user)
    assert User.objects.get(pk=admin_user.pk).is_active and _jobs(UNASSIGN) == []


@pytest.mark.django_db
def test_only_admins_deactivate_reactivate_or_resend(lead, agent_a, agent_b, outsider):
    target = agent_b.agent
    for user in (lead, agent_a, outsider):
        client = Client()
        client.force_login(user)
        for name in ("settings-agent-deactivate", "settings-agent-reactivate",
                     "settings-agent-resend"):
            url = reverse(name, args=[target.pk])
            assert client.post(url).status_code == 403, (user.username, name)
        assert client.get(reverse("settings-agent-deactivate",
                                  args=[target.pk])).status_code == 403
    assert User.objects.get(pk=agent_b.pk).is_active and _jobs(UNASSIGN) == []


@pytest.mark.django_db(transaction=True)
def test_a_connected_socket_of_a_deactivated_agent_is_closed(admin_user, agent_a):
    cookie = session_cookie_for(agent_a)

    async def scenario() -> None:
        sock = await connect_agent_socket(cookie)
        assert (await sock.connect())[0]
        assert (await sock.receive_json_from())["type"] == "hello"
        await sync_to_async(do_set_agent_active)(agent_a.agent, active=False, by=admin_user)
        assert (await sock.receive_json_from())["event"] == "agent.updated"
        assert await sock.receive_output(timeout=5) == {"type": "websocket.close",
                                                        "code": 4403}

    asyncio.run(scenario())
