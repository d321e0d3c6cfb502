"""An admin invites an agent through the Settings → Agents form in Chromium and sees them
listed as Invited; the invitation email waits in the job outbox. The pages have no
serious axe finding, and nothing is wider than a phone's screen."""

from __future__ import annotations

from typing import Any

import pytest

from agents.models import Agent, AgentState, Role
from jobs.models import Job
from tests.browser.conftest import screenshot
from tests.browser.test_design_system import PHONE, serious_violations
from tests.browser.test_settings_inbox import sign_in
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def test_an_admin_invites_an_agent_and_sees_them_listed_as_invited(
    asgi_server: str, browser: Any, team_a: Any, team_b: Any
):
    make_user("boss", Role.ADMIN)
    context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, asgi_server, "boss")
    page.goto(f"{asgi_server}/settings/agents/")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Invite agent").click()
    page.wait_for_url(f"{asgi_server}/settings/agents/invite/")
    page.get_by_label("Email").fill("rosa.diaz@example.test")
    page.get_by_label("Full name").fill("Rosa Diaz")
    page.get_by_label("Role").select_option(label="Team lead")
    page.get_by_label("Team B").check()
    assert serious_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Send invitation").click()

    assert page.url == f"{asgi_server}/settings/agents/"
    row = page.locator('tr[data-agent="rosa.diaz"]')
    assert row.locator(".badge").first.inner_text() == "Invited"
    assert "Rosa Diaz" in row.inner_text() and "Team B" in row.inner_text()
    assert "is invited: the email with a link" in page.locator(".messages").inner_text()
    agent = Agent.objects.select_related("user").get(user__username="rosa.diaz")
    assert (agent.state, agent.role, [t.name for t in agent.teams.all()]) == (
        AgentState.INVITED, Role.LEAD, ["Team B"])
    assert list(Job.objects.values_list("task", "args")) == [
        ("agents.tasks.send_invitation_task", [agent.user_id])]
    assert serious_violations(page) == []
    screenshot(page, "settings-agents-invited")

    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.goto(f"{asgi_server}/settings/agents/invite/")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    context.close()
