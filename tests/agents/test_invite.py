"""An admin invites an agent by email: one email (sent by a real worker through the job
outbox) with a set-password link; the agent chooses a password, signs in and sees the
inbox. A taken address is refused; only admins invite; an invitation can be sent again
while the agent has not chosen a password."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse

from agents.actions.invite import InviteError, do_invite_agent, do_resend_invitation
from agents.invitation import send_invitation
from agents.models import Agent, AgentState, Role
from jobs.models import Job
from tests.waiting import wait_for

LINK = re.compile(r"^(\S+/accounts/reset/\S+/)$", re.M)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _invitation_jobs() -> list[list[int]]:
    return list(Job.objects.filter(task="agents.tasks.send_invitation_task")
                .order_by("pk").values_list("args", flat=True))


@pytest.mark.django_db(transaction=True)
def test_an_invited_agent_chooses_a_password_signs_in_and_sees_the_inbox(
    admin_user, team_a, team_b, celery_worker
):
    response = _client(admin_user).post(reverse("settings-agent-invite"), {
        "email": "Sam.Lee@Example.TEST", "name": "  Sam   Lee ", "role": "agent",
        "teams": [team_a.pk, team_b.pk]})
    assert response.status_code == 302 and response["Location"] == reverse("settings-agents")

    agent = Agent.objects.select_related("user").get(user__username="sam.lee")
    user = agent.user
    assert (user.email, user.first_name, user.last_name) == ("Sam.Lee@example.test", "Sam", "Lee")
    assert (agent.role, sorted(agent.teams.values_list("slug", flat=True))) == (
        Role.AGENT, ["team-a", "team-b"])
    assert not user.has_usable_password() and agent.state == AgentState.INVITED

    wait_for(lambda: mail.outbox)
    wait_for(lambda: not Job.objects.exists())  # the worker ran it, once
    [email] = mail.outbox
    assert (email.to, email.subject, email.from_email) == (
        ["Sam.Lee@example.test"], "You are invited to omnidesk", settings.DEFAULT_FROM_EMAIL)
    assert "Hello Sam Lee," in email.body and "Your username is sam.lee." in email.body
    assert f"Then sign in at {settings.PUBLIC_URL}/accounts/login/ with" in email.body
    link = LINK.search(email.body).group(1)
    assert link.startswith(f"{settings.PUBLIC_URL}/accounts/reset/")

    client = Client()
    form_page = client.get(link.removeprefix(settings.PUBLIC_URL), follow=True)
    html = form_page.content.decode()
    assert "<h1>Choose a new password</h1>" in html and "for sam.lee" in html
    done = client.post(form_page.redirect_chain[-1][0], {
        "new_password1": "a long new passphrase", "new_password2": "a long new passphrase"})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    agent.refresh_from_db()
    assert agent.state == AgentState.ACTIVE

    signed_in = Client()
    response = signed_in.post(reverse("login"), {"username": "sam.lee",
                                                 "password": "a long new passphrase"})
    assert response.status_code == 302 and response["Location"] == "/"
    inbox = signed_in.get("/")
    assert inbox.status_code == 200
    assert inbox.resolver_match.url_name == "inbox"
    # The link worked once: the password it set changed the token's hash.
    assert "<h1>This link no longer works</h1>" in Client().get(
        link.removeprefix(settings.PUBLIC_URL), follow=True).content.decode()


def test_a_taken_address_is_refused_whatever_its_case(admin_user, agent_a):
    response = _client(admin_user).post(reverse("settings-agent-invite"), {
        "email": "AGENT_A@example.test", "name": "Another", "role": "agent"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Someone with the address AGENT_A@example.test is already a user." in html
    assert 'id="id_email_error"' in html
    with pytest.raises(InviteError) as refused:
        do_invite_agent(by=admin_user, email="agent_a@EXAMPLE.test", name="X", role="agent")
    assert refused.value.field == "email"
    assert User.objects.count() == 2 and _invitation_jobs() == []


def test_a_deactivated_agents_address_points_to_reactivating_them(admin_user, agent_a):
    User.objects.filter(pk=agent_a.pk).update(is_active=False)
    response = _client(admin_user).post(reverse("settings-agent-invite"), {
        "email": "agent_a@example.test", "name": "Back Again", "role": "agent"})
    assert response.status_code == 400
    assert ("agent_a has this address and is deactivated: reactivate them on their page "
            "instead.") in response.content.decode()


def test_the_form_says_what_is_missing(admin_user):
    response = _client(admin_user).post(reverse("settings-agent-invite"), {
        "email": "not an address", "name": "", "role": "boss"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert 'id="id_name_error"' in html and 'id="id_role_error"' in html
    assert not User.objects.exclude(pk=admin_user.pk).exists()


def test_usernames_from_the_same_mailbox_name_do_not_clash(admin_user, agent_a):
    first = do_invite_agent(by=admin_user, email="agent_a@other.test", name="A Two",
                            role="lead")
    second = do_invite_agent(by=admin_user, email="agent_a@third.test", name="A Three",
                             role="agent")
    assert (first.user.username, second.user.username) == ("agent_a-2", "agent_a-3")
    assert _invitation_jobs() == [[first.user_id], [second.user_id]]


def test_only_admins_invite(lead, agent_a, outsider, team_a):
    for user in (lead, agent_a, outsider):
        client = _client(user)
        assert client.get(reverse("settings-agent-invite")).status_code == 403
        response = client.post(reverse("settings-agent-invite"), {
            "email": "new@example.test", "name": "New", "role": "admin"})
        assert response.status_code == 403, user.username
    assert not User.objects.filter(email="new@example.test").exists()
    assert Client().get(reverse("settings-agent-invite")).status_code == 302


def test_resend_while_invited_then_not_once_the_password_is_chosen(admin_user):
    agent = do_invite_agent(by=admin_user, email="kim@example.test", name="Kim", role="agent")
    client = _client(admin_user)
    page = client.get(reverse("settings-agent", args=[agent.pk])).content.decode()
    assert "Resend invitation" in page and "Invited" in page
    response = client.post(reverse("settings-agent-resend", args=[agent.pk]))
    assert response.status_code == 302
    assert _invitation_jobs() == [[agent.user_id], [agent.user_id]]

    assert send_invitation(agent.user_id) == "sent"
    assert [m.to for m in mail.outbox] == [["kim@example.test"]]
    agent.user.set_password("chosen passphrase")
    agent.user.save()
    assert send_invitation(agent.user_id) == "skipped"  # a job run late sends nothing
    with pytest.raises(InviteError):
        do_resend_invitation(agent, by=admin_user)
    client.post(reverse("settings-agent-resend", args=[agent.pk]))
    assert len(_invitation_jobs()) == 2 and len(mail.outbox) == 1
    assert "Resend invitation" not in client.get(
        reverse("settings-agent", args=[agent.pk])).content.decode()


def test_the_list_shows_each_agents_state(admin_user, agent_a, agent_b):
    invited = do_invite_agent(by=admin_user, email="new@example.test", name="New One",
                              role="agent")
    User.objects.filter(pk=agent_b.pk).update(is_active=False)
    html = _client(admin_user).get(reverse("settings-agents")).content.decode()
    states = dict(re.findall(r'<tr data-agent="([^"]+)">.*?<span class="badge [a-z-]+">'
                             r"([A-Za-z]+)</span>", html, re.S))
    assert states == {"admin": "Active", "agent_a": "Active", "agent_b": "Deactivated",
                      invited.user.username: "Invited"}
    assert 'href="/settings/agents/invite/"' in html
