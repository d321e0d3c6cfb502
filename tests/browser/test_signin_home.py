"""A demo user signs in with the browser and sees the conversations they may see."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from conversations.access import visible_conversations
from demo.loader import DemoLoader
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(asgi_server: str) -> str:
    from omnidesk.celery import app

    # The routing work the pipeline queues after each commit runs inline: no worker here.
    app.conf.task_always_eager = True
    try:
        DemoLoader(now=timezone.now()).load(settings.OMNIDESK_DEMO_PASSWORD)
    finally:
        app.conf.task_always_eager = False
    return asgi_server


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/")
    assert page.url == f"{base}/accounts/login/?next=/"
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", settings.OMNIDESK_DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def listed(page: Any) -> list[int]:
    return [int(i) for i in page.locator("#conv-list li[data-row-id]").evaluate_all(
        "(rows) => rows.map((row) => row.dataset.rowId)")]


def test_demo_users_sign_in_and_see_the_conversations_they_may_see(demo, page, django_user_model):
    page.goto(f"{demo}/")
    screenshot(page, "signin")
    assert page.locator("h1").inner_text() == "Sign in"
    sign_in(page, demo, "agent1")
    screenshot(page, "home-agent1")

    # An agent's inbox opens on their teams' open conversations, newest first.
    assert page.locator("#list-title").inner_text() == "My teams"
    agent1 = django_user_model.objects.get(username="agent1")
    expected = list(
        visible_conversations(agent1).filter(status="open", team__agents__user=agent1)
        .order_by("-last_activity_at", "-id")[:30]
    )
    assert listed(page) == [c.pk for c in expected]
    first = page.locator(f'#conv-list li[data-row-id="{expected[0].pk}"]')
    assert expected[0].customer.name in first.inner_text()

    page.locator("summary", has_text="Account menu for Sam Carter").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{demo}/accounts/login/")
    sign_in(page, demo, "admin")
    screenshot(page, "home-admin")
    assert page.locator("#list-title").inner_text() == "All"
    admin = django_user_model.objects.get(username="admin")
    shown = set(listed(page))
    teams = {c.team.name for c in visible_conversations(admin).filter(pk__in=shown)
             .select_related("team") if c.team}
    assert teams == {"Support", "Billing", "Sales"}
