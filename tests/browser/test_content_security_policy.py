"""The Content-Security-Policy in Chromium: the admin, the API docs (Swagger UI) and our
pages render and run under it, with no violation reported."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from agents.models import Agent, Role
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

PASSWORD = "a long browser password"
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def violations(page: Any, console: list[str]) -> list[str]:
    reported: list[str] = page.evaluate("window.__csp")
    return reported + [m for m in console if "Content Security Policy" in m]


def test_admin_docs_and_pages_run_under_the_policy(asgi_server, page, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.test", PASSWORD)
    Agent.objects.create(user=admin, role=Role.ADMIN)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(WATCH)

    page.goto(f"{asgi_server}/accounts/login/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{asgi_server}/")
    assert violations(page, console) == []

    page.goto(f"{asgi_server}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "omnidesk API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock")
    page.click("#operations-customers-api_v1_customers_list .opblock-summary")
    page.click("#operations-customers-api_v1_customers_list .try-out__btn")
    page.click("#operations-customers-api_v1_customers_list .execute")
    page.wait_for_selector("#operations-customers-api_v1_customers_list .live-responses-table")
    screenshot(page, "api-docs")
    assert violations(page, console) == []

    for path, ready in [
        ("/admin/", "#site-name"),
        ("/admin/conversations/inbox/add/", "#inbox_form"),
        ("/admin/conversations/conversation/", "#changelist"),
        ("/voice/softphone/", "#softphone"),
    ]:
        page.goto(f"{asgi_server}{path}")
        page.wait_for_selector(ready)
        page.wait_for_load_state("networkidle")
        assert violations(page, console) == [], path
    # The admin's own scripts ran: typing a name fills the slug (prepopulated field).
    page.goto(f"{asgi_server}/admin/conversations/inbox/add/")
    page.locator("#id_name").press_sequentially("Night Shift")
    # (Playwright's wait_for_function evaluates a string: the policy forbids that too.)
    expect(page.locator("#id_slug")).to_have_value("night-shift")
    screenshot(page, "admin-inbox-add")
    assert violations(page, console) == []
