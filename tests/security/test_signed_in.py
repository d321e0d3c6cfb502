"""omnidesk.signed_in: the session, user and agent of each request read by compiled
statements give what Django's own reads give, and sign out whoever Django would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agents.access import agent_for
from agents.models import Agent, Role
from omnidesk.signed_in import MODEL_BACKEND, ModelBackend, SessionStore, agent_of
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(user: User, backend: str = MODEL_BACKEND) -> Client:
    """A client with a session as `login()` writes it, naming `backend`."""
    client = Client()
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    client.cookies["sessionid"] = session.session_key
    return client


def test_a_session_reads_as_djangos_database_session_does(admin_user: User) -> None:
    ours = SessionStore()
    ours.update({"a": 1, "when": "2026-12-01"})
    ours.save()
    key = ours.session_key
    assert SessionStore(key).load() == DjangoSessionStore(key).load() == {
        "a": 1, "when": "2026-12-01"}
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(key)
    assert expired.load() == DjangoSessionStore(key).load() == {}
    assert expired.session_key is None  # a new one is made on save, as Django's does
    assert SessionStore("no-such-session-key-0123456789").load() == {}


def test_signing_in_over_the_form_names_this_backend_and_works(agent_a: User) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "agent_a", "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302
    stored = SessionStore(client.cookies["sessionid"].value).load()
    assert stored[BACKEND_SESSION_KEY] == MODEL_BACKEND
    assert client.get("/api/v1/conversations/").status_code == 200


def test_a_session_naming_djangos_model_backend_stays_signed_in(agent_a: User) -> None:
    client = signed_in(agent_a, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/api/v1/conversations/").status_code == 200


@pytest.mark.parametrize("change", ["deactivated", "password", "signed out", "deleted"])
def test_whoever_django_would_sign_out_is_signed_out(agent_a: User, change: str) -> None:
    client = signed_in(agent_a)
    assert client.get("/api/v1/conversations/").status_code == 200
    if change == "deactivated":
        User.objects.filter(pk=agent_a.pk).update(is_active=False)
    elif change == "password":
        agent_a.set_password("another long password")
        agent_a.save()
    elif change == "signed out":
        Session.objects.all().delete()
    else:
        agent_a.delete()
    assert client.get("/api/v1/conversations/").status_code == 401  # not signed in


def test_the_user_is_djangos_user(agent_a: User) -> None:
    ours = ModelBackend().get_user(agent_a.pk)
    theirs = User.objects.get(pk=agent_a.pk)
    assert ours == theirs
    assert {f.attname: getattr(ours, f.attname) for f in User._meta.concrete_fields} == {
        f.attname: getattr(theirs, f.attname) for f in User._meta.concrete_fields}
    assert ModelBackend().get_user(-5) is None


def test_the_agent_is_read_once_and_kept_both_ways(agent_a: User, outsider: User) -> None:
    user = User.objects.get(pk=agent_a.pk)
    agent = agent_of(user)
    assert agent == Agent.objects.get(user=agent_a)
    with CaptureQueriesContext(connection) as captured:
        assert user.agent is agent and agent.user is user
        assert agent_of(user) is agent
    assert captured.captured_queries == []

    nobody = User.objects.get(pk=outsider.pk)
    assert agent_of(nobody) is None
    with CaptureQueriesContext(connection) as captured, pytest.raises(Agent.DoesNotExist):
        nobody.agent  # noqa: B018 - as Django's descriptor answers for no row
    assert captured.captured_queries == []


def test_a_superuser_without_a_profile_becomes_an_admin(db: object) -> None:
    boss = User.objects.create_superuser("boss", "boss@example.test", PASSWORD)
    agent = agent_for(User.objects.get(pk=boss.pk))
    assert agent is not None and agent.role == Role.ADMIN
    assert Agent.objects.filter(user=boss).count() == 1


def test_team_ids_are_the_orms_in_the_teams_order(agent_a: User, outsider: User) -> None:
    from agents.access import team_ids_of
    from agents.models import Team
    from omnidesk.signed_in import team_ids

    agent = Agent.objects.get(user=agent_a)
    agent.teams.add(*(Team.objects.create(name=name, slug=name.lower())
                      for name in ("Zeta", "Alpha", "Mid")))
    Team.objects.create(name="Not theirs", slug="not-theirs")
    expected = list(agent.teams.values_list("id", flat=True))
    assert len(expected) == 4
    assert team_ids(agent.pk) == expected
    assert team_ids_of(Agent.objects.get(pk=agent.pk)) == expected
    assert team_ids(Agent.objects.create(user=outsider, role=Role.AGENT).pk) == []
