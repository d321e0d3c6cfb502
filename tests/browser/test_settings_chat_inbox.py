"""An admin changes a chat widget's colour, position and launcher text and sees the
preview follow as they type (under the page's real Content-Security-Policy), with the
WCAG contrast check; the saved page has no serious axe finding, on a desktop and on a
phone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agents.models import Role
from conversations.models import Inbox
from tests.browser.conftest import screenshot
from tests.browser.test_design_system import PHONE, serious_violations
from tests.browser.test_settings_inbox import sign_in
from tests.conftest import make_user

pytestmark = pytest.mark.browser

LAUNCHER = ".widget-preview-launcher"
HEADER = ".widget-preview-header"


def background(page, selector: str) -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el).backgroundColor")


def test_the_widget_preview_follows_the_form(asgi_server, browser):
    make_user("boss", Role.ADMIN)
    inbox = Inbox.objects.create(kind="chat", name="Shop chat", slug="shop-chat",
                                 address="https://shop.example.com",
                                 config={"widget_key": "shop-chat-key"})
    url = f"{asgi_server}{reverse('settings-inbox', args=[inbox.pk])}"

    # The page's own policy stays on: the preview's script must run under it.
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    sign_in(page, asgi_server, "boss")
    page.goto(url)
    assert background(page, LAUNCHER) == "rgb(37, 99, 235)"  # the widget's default
    assert page.locator("[data-contrast=passes]").is_visible()

    page.get_by_label("Colour", exact=True).fill("#7c2d12")
    assert background(page, LAUNCHER) == "rgb(124, 45, 18)"
    assert background(page, HEADER) == "rgb(124, 45, 18)"
    assert page.locator("[data-contrast=passes]").inner_text() == (
        "White text on #7c2d12: 9.37:1, meets WCAG AA (4.5:1).")

    page.get_by_label("Colour", exact=True).fill("#ffcc00")
    assert background(page, LAUNCHER) == "rgb(255, 204, 0)"
    assert page.locator("[data-contrast=passes]").is_hidden()
    assert "1.51:1, below the 4.5:1 of WCAG AA" in page.locator(
        "[data-contrast=fails]").inner_text()

    page.get_by_label("Colour", exact=True).fill("#7c2d1")  # half typed: the last colour stays
    assert background(page, LAUNCHER) == "rgb(255, 204, 0)"
    assert page.locator("[data-contrast=invalid]").is_visible()

    page.get_by_label("Pick the colour").fill("#14532d")  # the picker fills the field
    assert page.get_by_label("Colour", exact=True).input_value() == "#14532d"
    assert background(page, LAUNCHER) == "rgb(20, 83, 45)"

    page.get_by_label("Launcher text").fill("Questions?")
    page.get_by_label("Greeting").fill("Hello from the shop!")
    page.get_by_label("Position").select_option("left")
    assert page.locator(LAUNCHER).inner_text() == "Questions?"
    assert page.locator(".widget-preview-msg.is-agent").inner_text() == "Hello from the shop!"
    site = page.locator(".widget-preview-site").first.bounding_box()
    launcher = page.locator(LAUNCHER).bounding_box()
    assert site is not None and launcher is not None
    assert launcher["x"] - site["x"] < 20  # at the site's left edge

    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    inbox.refresh_from_db()
    assert (inbox.config["color"], inbox.config["position"], inbox.config["launcher_text"]) == (
        "#14532d", "left", "Questions?")
    assert background(page, LAUNCHER) == "rgb(20, 83, 45)"  # drawn from the saved form
    assert refused == []
    context.close()

    # axe-core is injected inline, which the policy forbids: this context bypasses it.
    context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, asgi_server, "boss")
    page.goto(url)
    assert serious_violations(page) == []
    screenshot(page, "settings-chat-inbox")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert serious_violations(page) == []
    context.close()
