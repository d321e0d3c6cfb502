"""Two admins invite the same address at once (in any case), or two addresses with the
same mailbox name: one user per address, distinct usernames, on real PostgreSQL
connections released together."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection

from agents.actions.invite import InviteError, do_invite_agent
from agents.models import Agent

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 4


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Each call in its own thread and connection; exceptions are returned, not raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = calls[i]()
        except BaseException as exc:  # the outcome under test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_racing_invitations_of_one_address_make_one_user(admin_user):
    emails = ["Ana@example.test", "ana@EXAMPLE.test", "ANA@example.test", "ana@example.test"]
    results = race([
        lambda email=email: do_invite_agent(by=admin_user, email=email, name="Ana", role="agent")
        for email in emails[:THREADS]
    ])
    invited = [r for r in results if isinstance(r, Agent)]
    refused = [r for r in results if isinstance(r, InviteError)]
    assert (len(invited), len(refused)) == (1, THREADS - 1), results
    assert User.objects.filter(email__iexact="ana@example.test").count() == 1


def test_racing_invitations_with_one_mailbox_name_get_distinct_usernames(admin_user):
    results = race([
        lambda i=i: do_invite_agent(by=admin_user, email=f"sam@team{i}.test", name="Sam",
                                    role="agent")
        for i in range(THREADS)
    ])
    assert all(isinstance(r, Agent) for r in results), results
    assert sorted(r.user.username for r in results) == ["sam", "sam-2", "sam-3", "sam-4"]
