"""An admin sets up a Twilio number through the settings form and sees the webhook URLs
to give Twilio; the pages have no serious axe finding, on a desktop and on a phone."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from agents.models import Role
from conversations.models import Inbox
from tests.browser.conftest import screenshot
from tests.browser.test_design_system import PHONE, serious_violations
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser

SID = "AC" + "0123456789abcdef" * 2


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_an_admin_sets_up_a_twilio_number_and_sees_its_webhook_urls(asgi_server, browser):
    make_user("boss", Role.ADMIN)
    context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, asgi_server, "boss")
    page.get_by_role("link", name="Settings").click()
    page.wait_for_url(f"{asgi_server}/settings/inboxes/")
    assert serious_violations(page) == []
    page.locator("summary", has_text="New inbox").click()
    page.get_by_role("menuitem", name="Twilio number").click()
    page.wait_for_url(f"{asgi_server}/settings/inboxes/new/twilio/")
    page.get_by_label("Name", exact=True).fill("Support line")
    page.get_by_label("Phone number").fill("+1 415 555 0100")
    page.get_by_label("Account SID").fill(SID)
    page.get_by_label("Auth token").fill("s3cret-token-value-0123456789abcd")
    page.get_by_label("SMS", exact=True).check()
    page.get_by_label("Voice", exact=True).check()
    assert serious_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Create inbox").click()

    inbox = Inbox.objects.get()
    assert page.url == f"{asgi_server}/settings/inboxes/{inbox.pk}/"
    assert (inbox.address, inbox.secrets) == ("+14155550100",
                                              {"auth_token": "s3cret-token-value-0123456789abcd"})
    urls = page.locator("[data-webhook-urls] code").all_inner_texts()
    assert f"{settings.PUBLIC_URL}{reverse('twilio-messaging-inbound')}" in urls
    assert f"{settings.PUBLIC_URL}{reverse('twilio-messaging-status')}" in urls
    assert page.get_by_label("Auth token").input_value() == ""
    assert "s3cret-token-value" not in page.content()
    assert serious_violations(page) == []
    screenshot(page, "settings-twilio-inbox")

    page.set_viewport_size(PHONE)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    context.close()
