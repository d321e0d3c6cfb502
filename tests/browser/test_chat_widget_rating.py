"""Issue 12: the satisfaction survey inside the chat widget. An agent resolves a chat in
the workspace; the worker sends the survey; the visitor, on a shop's page of another
origin, sees five rating buttons in the transcript, rates 4 with the keyboard, adds an
effort score and a comment, and is thanked; the agent's timeline shows the rating live;
the survey row holds it; a reload shows it given. axe finds nothing serious.

Screenshots of the rating control at 1440x900 and 390x844 are written to
docs/screenshots/chat-widget-rating-*.png (with OMNIDESK_SCREENSHOTS=1)."""

from __future__ import annotations

from typing import Any

import pytest

from conversations.models import Conversation
from csat.models import CsatSurvey
from tests.browser.test_chat_widget import (  # noqa: F401 - fixtures
    LAUNCHER,
    LOG,
    host_page,
    sam,
    serious_violations,
    shoot,
)
from tests.browser.test_workspace import DESKTOP, PHONE, context_for, sign_in, wait_for_socket
from tests.waiting import wait_for

pytestmark = pytest.mark.browser
CARD = f"{LOG} >> .survey"


def _focused_label(page: Any) -> str:
    return str(page.locator("#omnidesk-chat").evaluate(
        "(host) => host.shadowRoot.activeElement?.getAttribute('aria-label') || ''"))


def test_the_visitor_rates_a_resolved_chat_inside_the_widget(
    asgi_server, host_page, browser, sam, celery_worker  # noqa: F811
):
    agent_context = context_for(browser)
    agent = agent_context.new_page()
    sign_in(agent, asgi_server, "sam")
    wait_for_socket(agent)

    visitor_context = browser.new_context(viewport=DESKTOP)
    visitor = visitor_context.new_page()
    visitor.goto(host_page)
    visitor.locator(LAUNCHER).click()
    visitor.get_by_role("textbox", name="Message").fill("My mug arrived broken.")
    visitor.get_by_role("button", name="Send").click()
    visitor.wait_for_selector(f"{LOG} >> p.in >> .meta:text('You')")
    conversation = wait_for(lambda: Conversation.objects.first())

    agent.click(f'li[data-row-id="{conversation.pk}"] .conv-row')
    agent.locator("#timeline .tl-in:has-text('My mug arrived broken.')").wait_for()
    agent.fill("#composer-body", "Sorry! A new one is on its way.")
    agent.keyboard.press("Control+Enter")
    visitor.wait_for_selector(f"{LOG} >> p.out:has-text('A new one is on its way.')")
    agent.locator("button[data-update='status=resolved']").click()

    # The worker creates the survey and sends it on chat: the widget shows the control.
    card = visitor.locator(CARD)
    card.wait_for(timeout=15_000)
    survey = CsatSurvey.objects.get(conversation=conversation)
    assert survey.channel == "chat" and survey.rating is None
    group = visitor.get_by_role("group", name="How did we do?")
    buttons = group.get_by_role("button")
    assert buttons.all_inner_texts() == ["1", "2", "3", "4", "5"]
    assert [b.get_attribute("aria-label") for b in buttons.all()] == [
        "1 of 5: Very unhappy", "2 of 5: Unhappy", "3 of 5: Neutral", "4 of 5: Happy",
        "5 of 5: Very happy"]
    assert "Rate this conversation: http" not in visitor.locator(LOG).inner_text()
    shoot(visitor, "chat-widget-rating-1440")
    assert serious_violations(visitor) == []
    visitor.set_viewport_size(PHONE)
    panel = visitor.locator("#omnidesk-chat >> .panel").bounding_box()
    assert panel is not None and (panel["width"], panel["height"]) == (390, 844)
    card.scroll_into_view_if_needed()
    for button in buttons.all():  # five buttons fit the phone's width side by side
        box = button.bounding_box()
        assert box is not None and box["width"] >= 40 and box["x"] + box["width"] <= 390
    shoot(visitor, "chat-widget-rating-390")
    visitor.set_viewport_size(DESKTOP)

    # Keyboard only: from the header's close button, Tab to the first rating button,
    # arrows along the scale, Enter.
    visitor.get_by_role("button", name="Close chat").focus()
    visitor.keyboard.press("Tab")
    assert _focused_label(visitor) == "1 of 5: Very unhappy"
    outline = visitor.locator("#omnidesk-chat").evaluate(
        "(host) => getComputedStyle(host.shadowRoot.activeElement).outlineStyle")
    assert outline == "solid"  # the focus is visible
    for _ in range(3):
        visitor.keyboard.press("ArrowRight")
    assert _focused_label(visitor) == "4 of 5: Happy"
    visitor.keyboard.press("Enter")

    effort = visitor.get_by_role("group", name="How easy was it to get what you needed?")
    effort.wait_for()
    assert wait_for(lambda: CsatSurvey.objects.get(pk=survey.pk).rating == 4)
    assert _focused_label(visitor) == "1 of 5: Very hard"  # the follow-up has the focus
    agent.locator("#timeline .tl-event:has-text('Customer rated 4/5 (Happy)')").wait_for(
        timeout=5_000)
    assert group.get_by_role("button", name="4 of 5: Happy").get_attribute(
        "aria-pressed") == "true"
    shoot(visitor, "chat-widget-rating-follow-up-1440")
    assert serious_violations(visitor) == []

    effort.get_by_role("button", name="5 of 5: Very easy").click()
    visitor.get_by_role("textbox", name="Anything to add? (optional)").fill("Fast and kind.")
    card.get_by_role("button", name="Send feedback").click()
    card.locator(".sv-status:has-text('Thank you for your feedback!')").wait_for()
    survey.refresh_from_db()
    assert (survey.rating, survey.effort, survey.comment) == (4, 5, "Fast and kind.")
    agent.locator("#timeline .tl-event:has-text('“Fast and kind.”')").wait_for(timeout=5_000)

    # A reload shows the rating given, and no control to rate again.
    visitor.reload()
    visitor.locator(LAUNCHER).click()
    status = visitor.locator(f"{CARD} >> .sv-status").first
    status.wait_for()
    assert status.inner_text() == (
        "You rated us 4 of 5 (Happy). Thank you for your feedback!")
    given = visitor.get_by_role("button", name="4 of 5: Happy")
    assert given.get_attribute("aria-pressed") == "true" and given.is_disabled()
    assert visitor.locator(f"{CARD} >> .follow").is_hidden()
    assert CsatSurvey.objects.get(pk=survey.pk).answered_at is not None
    visitor_context.close()
    agent_context.close()
