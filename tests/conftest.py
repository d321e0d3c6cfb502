"""Shared fixtures: the personas (admin, lead, agent of team A, agent of team B,
outsider), one inbox per kind, and a real Celery worker for asynchronous behaviour."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

import tests.hypothesis_profiles  # noqa: F401 - registers and loads the profile
from agents.models import Agent, Role, Team
from conversations.models import Inbox
from omnidesk import config_cache

# Fixtures shared by several test folders, kept in modules of their own.
pytest_plugins = ["tests.http_receiver", "tests.spooled"]

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _no_cached_configuration() -> Iterator[None]:
    """A test's database starts empty (rolled back or flushed, which sends no signals):
    no process copy of SLA policies or inboxes from the test before."""
    config_cache.clear_all()
    yield
    config_cache.clear_all()


def make_user(username: str, role: str | None, teams: list[Team] = ()) -> User:  # type: ignore[assignment]
    user = User.objects.create_user(username, f"{username}@example.test", PASSWORD)
    if role is not None:
        agent = Agent.objects.create(user=user, role=role)
        agent.teams.set(teams)
    return user


@pytest.fixture
def team_a(db: Any) -> Team:
    return Team.objects.create(name="Team A", slug="team-a")


@pytest.fixture
def team_b(db: Any) -> Team:
    return Team.objects.create(name="Team B", slug="team-b")


@pytest.fixture
def admin_user(db: Any) -> User:
    return make_user("admin", Role.ADMIN)


@pytest.fixture
def lead(db: Any) -> User:
    return make_user("lead", Role.LEAD)


@pytest.fixture
def agent_a(team_a: Team) -> User:
    return make_user("agent_a", Role.AGENT, [team_a])


@pytest.fixture
def agent_b(team_b: Team) -> User:
    return make_user("agent_b", Role.AGENT, [team_b])


@pytest.fixture
def outsider(db: Any) -> User:
    return make_user("outsider", None)


@pytest.fixture
def email_inbox(team_a: Team) -> Inbox:
    return Inbox.objects.create(
        kind="email",
        name="Support mail",
        slug="support-mail",
        address="support@omnidesk.test",
        team=team_a,
    )


@pytest.fixture
def twilio_inbox(team_a: Team) -> Inbox:
    return Inbox.objects.create(
        kind="twilio",
        name="Support line",
        slug="support-line",
        address="+15005550006",
        team=team_a,
        config={"account_sid": "AC" + "0" * 32},
        secrets={"auth_token": "12345678901234567890123456789012"},
    )


@pytest.fixture
def api_inbox(team_a: Team) -> Inbox:
    return Inbox.objects.create(kind="api", name="Shop events", slug="shop", team=team_a)


@pytest.fixture
def chat_inbox(team_a: Team) -> Inbox:
    return Inbox.objects.create(
        kind="chat", name="Website chat", slug="web-chat", team=team_a
    )


def api_client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def client_for() -> Any:
    return api_client_for


@pytest.fixture
def celery_worker(transactional_db: Any) -> Iterator[Any]:
    """A real Celery worker (solo pool) in a thread, consuming this test run's queue on
    the real Redis broker. Tests using it commit for real (transactional_db)."""
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from omnidesk.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_declare(settings.CELERY_TASK_DEFAULT_QUEUE, durable=True)
        conn.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)
    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=20, loglevel="WARNING"
    ) as worker:
        yield worker


@pytest.fixture
def pipeline_syncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times psycopg's pipeline mode was synced (omnidesk.fastsql.pipelined):
    one round trip each. A list of one count, read as the test goes."""
    import psycopg

    count = [0]
    sync = psycopg.Pipeline.sync

    def counting(self: psycopg.Pipeline) -> None:
        count[0] += 1
        sync(self)

    monkeypatch.setattr(psycopg.Pipeline, "sync", counting)
    return count


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Test files with a slow test run first, so that under pytest-xdist the long ones
    (real servers, workers, outages) overlap instead of ending the run one by one."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_files)
