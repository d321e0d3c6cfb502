"""The design system in a real browser: axe-core (vendored, injected only here) finds no
serious or critical violation on the style guide, the sign-in and the password-reset
pages, in light and dark; nothing is wider than a 390 px phone; the shell's keys, theme
switch and phone navigation work."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from agents.models import Role
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture
def site(asgi_server: str) -> str:
    make_user("designer", Role.LEAD)
    return asgi_server


def sign_in(page: Any, base: str, username: str = "designer") -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url == f"{base}/"


def serious_violations(page: Any) -> list[str]:
    # Injected inline, which the page's CSP forbids: these tests' contexts bypass it (the
    # policy itself is tested in test_content_security_policy.py).
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
             .filter(v => v.impact === "serious" || v.impact === "critical")
             .map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "))"""
    )
    return list(found)


def reset_link(base: str, client_page: Any) -> str:
    client_page.goto(f"{base}/accounts/password_reset/")
    client_page.fill("#id_email", "designer@example.test")
    with client_page.expect_navigation():
        client_page.click("button[type=submit]")
    path = re.search(r"(/accounts/reset/\S+/)$", mail.outbox[-1].body, re.M)
    assert path is not None
    return f"{base}{path.group(1)}"


def signed_out_pages(base: str, page: Any) -> list[str]:
    return [
        f"{base}/accounts/login/",
        f"{base}/accounts/password_reset/",
        f"{base}/accounts/password_reset/done/",
        reset_link(base, page),
        f"{base}/accounts/reset/MQ/bad-token/",
        f"{base}/accounts/reset/done/",
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_serious_in_either_theme(site, browser, scheme):
    context = browser.new_context(bypass_csp=True, viewport=DESKTOP, color_scheme=scheme)
    page = context.new_page()
    problems: dict[str, list[str]] = {}
    for url in signed_out_pages(site, page):
        page.goto(url)
        problems[url] = serious_violations(page)
    page.goto(f"{site}/accounts/login/")
    page.fill("#id_username", "designer")
    page.fill("#id_password", "wrong")
    with page.expect_navigation():
        page.click("button[type=submit]")
    problems["login with errors"] = serious_violations(page)

    sign_in(page, site)
    for path in ("/", "/styleguide/", "/styleguide/workspace/"):
        page.goto(f"{site}{path}")
        problems[path] = serious_violations(page)
    page.goto(f"{site}/styleguide/")
    assert page.evaluate("getComputedStyle(document.body).colorScheme") in ("normal", "light dark")
    screenshot(page, f"styleguide-{scheme}")
    context.close()
    assert {url: found for url, found in problems.items() if found} == {}


def test_nothing_is_wider_than_a_phone(site, browser):
    context = browser.new_context(bypass_csp=True, viewport=PHONE)
    page = context.new_page()
    widths: dict[str, int] = {}
    for url in signed_out_pages(site, page):
        page.goto(url)
        widths[url] = page.evaluate("document.documentElement.scrollWidth")
    sign_in(page, site)
    for path in ("/", "/styleguide/", "/styleguide/workspace/", "/styleguide/workspace/?pane=list",
                 "/styleguide/workspace/?pane=side"):
        page.goto(f"{site}{path}")
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, "styleguide-workspace-390")
    context.close()
    assert {url: w for url, w in widths.items() if w > PHONE["width"]} == {}


def test_the_shell_keys_theme_and_phone_navigation(site, browser):
    context = browser.new_context(bypass_csp=True, viewport=PHONE, color_scheme="light")
    page = context.new_page()
    sign_in(page, site)
    page.goto(f"{site}/styleguide/")

    # "?" opens the keyboard help; Escape closes it. "/" goes to search.
    page.keyboard.press("?")
    assert page.locator("#keyboard-help").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("#keyboard-help").is_visible()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "app-search-input"
    page.locator("#app-search-input").blur()

    # On a phone the navigation is a drawer behind the menu button.
    from playwright.sync_api import expect

    sidebar = page.locator("#app-sidebar")
    expect(sidebar).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(sidebar).to_be_visible()
    assert page.get_by_role("button", name="Menu").get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")
    expect(sidebar).to_be_hidden()

    # The theme chosen in the account menu applies at once and survives a reload.
    page.locator("summary", has_text="Account menu for designer").click()
    page.get_by_role("button", name="Dark").click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(15, 17, 21)"
    page.locator("summary", has_text="Account menu for designer").click()
    page.get_by_role("button", name="Auto").click()
    assert page.evaluate("document.documentElement.dataset.theme") is None
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(244, 245, 247)"
    context.close()


def test_phone_panes_show_one_at_a_time_with_a_back_control(site, browser):
    context = browser.new_context(bypass_csp=True, viewport=PHONE)
    page = context.new_page()
    sign_in(page, site)
    page.goto(f"{site}/styleguide/workspace/")
    assert page.locator(".pane-main").is_visible()
    assert not page.locator(".pane-list").is_visible()
    page.get_by_role("link", name="Back to the list").click()
    assert page.locator(".pane-list").is_visible()
    assert not page.locator(".pane-main").is_visible()
    context.close()

    wide = browser.new_context(bypass_csp=True, viewport=DESKTOP)
    page = wide.new_page()
    sign_in(page, site)
    page.goto(f"{site}/styleguide/workspace/")
    assert [page.locator(f".pane-{p}").is_visible() for p in ("list", "main", "side")] == [True] * 3
    assert not page.get_by_role("link", name="Back to the list").is_visible()
    page.get_by_role("button", name="Customer panel").click()
    assert not page.locator(".pane-side").is_visible()
    wide.close()
