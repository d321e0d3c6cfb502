"""Under the real ASGI server (axes' async middleware), a browser that keeps typing a
wrong password is told that signing in is paused, in the product's words."""

from __future__ import annotations

import pytest

from agents.models import Role
from tests.browser.conftest import screenshot
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def test_a_browser_is_told_that_signing_in_is_paused(asgi_server, page):
    make_user("sam", Role.AGENT)
    for attempt in range(5):
        page.goto(f"{asgi_server}/accounts/login/")
        page.fill("input[name=username]", "sam")
        page.fill("input[name=password]", f"wrong-{attempt}")
        page.click("button[type=submit]")
        page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Signing in is paused"
    assert "try again in 15 minutes" in page.locator("#locked-out").inner_text()
    screenshot(page, "signin-paused")
