"""Issue 11, "must show": a message sent from the chat widget in a second browser context
appears in the open inbox within a second, with no reload. The agent (of the chat
inbox's team) has the inbox open in one context; a visitor on a shop's page served from
another origin writes in the widget in another context. Then the agent opens the new
conversation, reads the message in the timeline and answers on chat from the composer;
the answer shows in the visitor's widget."""

from __future__ import annotations

import time
from typing import Any

import pytest

from conversations.models import Conversation, Interaction
from tests.browser.test_chat_widget import LAUNCHER, LOG, host_page, sam  # noqa: F401 - fixtures
from tests.browser.test_workspace import (
    DESKTOP,
    context_for,
    serious_violations,
    sign_in,
    wait_for_socket,
)

pytestmark = pytest.mark.browser
ROW = "#conv-list .conv-row:has-text('Where is my order?')"


def wait_for_widget_welcome(page: Any, frames: list[str]) -> None:
    """The widget's socket has said hello and the server has welcomed the visitor."""
    deadline = time.monotonic() + 10
    while not any('"welcome"' in frame for frame in frames):
        assert time.monotonic() < deadline, "the widget's socket was never welcomed"
        page.wait_for_timeout(20)


def test_a_widget_message_appears_in_the_open_inbox_within_a_second_and_the_reply_returns(
    asgi_server, host_page, browser, sam, celery_worker  # noqa: F811
):
    assert asgi_server.split(":")[-1] not in host_page  # two origins
    agent_context = context_for(browser)
    agent = agent_context.new_page()
    sign_in(agent, asgi_server, "sam")
    assert agent.url == f"{asgi_server}/"
    wait_for_socket(agent)  # joined its groups: nothing published from now on is missed
    agent.evaluate("() => { window.sameDocument = true; }")  # gone if the page reloads
    agent.mouse.move(200, 300)  # the pointer rests on the list
    assert agent.locator(ROW).count() == 0

    visitor_context = browser.new_context(viewport=DESKTOP)
    visitor = visitor_context.new_page()
    frames: list[str] = []
    visitor.on("websocket",
               lambda ws: ws.on("framereceived", lambda frame: frames.append(str(frame))))
    visitor.goto(host_page)
    visitor.locator(LAUNCHER).click()  # opening the widget connects its socket
    wait_for_widget_welcome(visitor, frames)
    visitor.get_by_role("textbox", name="Message").fill("Where is my order?")

    started = time.monotonic()
    visitor.get_by_role("button", name="Send").click()
    agent.wait_for_selector(ROW, timeout=1_000)
    assert time.monotonic() - started < 1.0
    conversation = Conversation.objects.get()
    assert conversation.channels == ["chat"]
    assert agent.locator(f'li[data-row-id="{conversation.pk}"]').count() == 1
    # No reload happened: the same document, its socket still open.
    assert agent.evaluate("() => window.sameDocument === true") is True
    assert agent.evaluate("() => window.omnidesk.realtime.state") == "open"
    assert serious_violations(agent) == []

    agent.click(f'li[data-row-id="{conversation.pk}"] .conv-row')
    agent.wait_for_selector("#composer")
    agent.locator("#timeline .tl-in:has-text('Where is my order?')").wait_for(timeout=5_000)
    assert agent.input_value("#composer-channel") == "chat"  # the visitor's own channel
    agent.fill("#composer-body", "It left our warehouse this morning.")
    agent.keyboard.press("Control+Enter")
    agent.locator("#timeline .tl-out:has-text('It left our warehouse')").wait_for()
    visitor.wait_for_selector(f"{LOG} >> p.out:has-text('It left our warehouse this morning.')",
                              timeout=5_000)
    reply = Interaction.objects.get(direction="out")
    assert (reply.conversation_id, reply.channel, reply.text) == (
        conversation.pk, "chat", "It left our warehouse this morning.")
    log = visitor.locator(LOG).inner_text()
    assert log.index("Where is my order?") < log.index("It left our warehouse this morning.")
    assert agent.evaluate("() => window.sameDocument === true") is True
    visitor_context.close()
    agent_context.close()
