"""The agent workspace as a real agent uses it, in Chromium against the real ASGI app (and,
for sending, a real Celery worker with anymail's test backend):

- sign in, open a conversation that spans chat, email and a call: one timeline;
- reply by email from the composer and watch the status go queued -> sent -> delivered
  live, with no reload;
- a message posted to the signed Twilio webhook appears in the open inbox within a second,
  with no reload, and never in the inbox of an agent of another team;
- a canned response through "/" and a macro;
- a note that mentions a colleague notifies the colleague's open page;
- axe-core finds nothing serious on the workspace's pages; nothing is wider than a phone.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings

from agents.models import Role
from conversations.actions.delivery import do_update_delivery
from conversations.models import Conversation, Interaction, Status
from macros.actions import do_save_canned, do_save_macro
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD, make_user
from tests.sms.conftest import INBOUND_PATH, payload
from tests.twilio.signing import sign
from tests.workspace.conftest import spanning_conversation

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def context_for(browser: Any, viewport: dict[str, int] = DESKTOP) -> Any:
    # axe is injected inline, which the page's CSP forbids: these contexts bypass it (the
    # policy itself is tested in test_content_security_policy.py). Reduced motion: axe
    # measures the contrast of what is on screen, and a toast caught in its 180 ms
    # fade-in (a notification arriving as the check runs) reads as faint text.
    return browser.new_context(viewport=viewport, bypass_csp=True, reduced_motion="reduce")


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def wait_for_socket(page: Any) -> None:
    page.wait_for_function("() => window.omnidesk && window.omnidesk.realtime && "
                           "window.omnidesk.realtime.state === 'open'", timeout=10_000)


def serious_violations(page: Any) -> list[str]:
    # A toast fading in (a live notification) is judged once it is fully shown.
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')",
                           timeout=5_000)
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
             .filter(v => v.impact === "serious" || v.impact === "critical")
             .map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "))"""
    )
    return list(found)


@pytest.fixture
def desk(asgi_server: str, team_a: Any, chat_inbox: Any, email_inbox: Any,
         twilio_inbox: Any) -> dict[str, Any]:
    sam = make_user("sam", Role.AGENT, [team_a])
    sam.first_name, sam.last_name = "Sam", "Carter"
    sam.save()
    jo = make_user("jo", Role.AGENT, [team_a])
    conversation = spanning_conversation(chat_inbox, email_inbox, twilio_inbox)
    return {"base": asgi_server, "sam": sam, "jo": jo, "conversation": conversation,
            "twilio": twilio_inbox, "email": email_inbox, "chat": chat_inbox}


def test_an_agent_reads_the_whole_history_and_replies_by_email_live(desk, browser,
                                                                   celery_worker):
    base, conversation = desk["base"], desk["conversation"]
    do_save_canned(None, name="Refund sent", shortcut="refund", owner=desk["sam"],
                   body="Hi {{ customer.first_name }}, your refund is on its way.")
    do_save_macro(None, name="Waiting on bank", owner=desk["sam"], actions=[
        {"type": "add_tags", "tags": ["bank"]}, {"type": "priority", "priority": 2}])
    context = context_for(browser)
    page = context.new_page()
    sign_in(page, base, "sam")
    assert page.url == f"{base}/"
    assert serious_violations(page) == []
    page.click(f'li[data-row-id="{conversation.pk}"] .conv-row')
    page.wait_for_selector("#composer")
    timeline = page.locator("#timeline")
    texts = timeline.inner_text()
    assert texts.index("my refund for order 20418 is late") < texts.index(
        "Still nothing on my card.") < texts.index("Incoming call")
    assert "Customer switched from chat to email" in texts
    assert serious_violations(page) == []

    # A canned response through "/", its variables filled in, sent by email.
    page.select_option("#composer-channel", "email")
    page.click("#composer-body")
    page.keyboard.type("/refu")
    page.wait_for_selector("#composer-popup .composer-option")
    page.keyboard.press("Enter")
    assert page.input_value("#composer-body") == "Hi Dana, your refund is on its way."
    page.keyboard.press("Control+Enter")
    reply = page.locator("#timeline .tl-out").last
    reply.wait_for()
    assert "Hi Dana, your refund is on its way." in reply.inner_text()
    # The worker sends it (anymail's test backend): "Sent" arrives over the socket.
    page.wait_for_selector("#timeline .tl-out[data-status=sent]", timeout=15_000)
    sent = Interaction.objects.get(conversation=conversation, direction="out", channel="email")
    assert sent.status == Status.SENT and sent.provider_id
    do_update_delivery(desk["email"], sent.provider_id, Status.DELIVERED)  # the ESP's callback
    page.wait_for_selector("#timeline .tl-out[data-status=delivered]", timeout=5_000)
    assert "Delivered" in page.locator("#timeline .tl-out").last.inner_text()
    assert page.input_value("#composer-body") == ""  # the draft is gone once sent

    # A macro: tags and priority at once, each leaving its event.
    page.click(".composer-macros summary")
    page.click("[data-macro-name='Waiting on bank']")
    page.wait_for_selector("#timeline .tl-event:has-text('added bank')", timeout=5_000)
    conversation.refresh_from_db()
    assert (conversation.tags, conversation.priority) == (["bank"], 2)
    screenshot(page, "workspace-conversation")
    context.close()


def test_a_signed_webhook_message_appears_in_the_open_inbox_within_a_second(desk, browser,
                                                                           team_b):
    base = desk["base"]
    make_user("other_team", Role.AGENT, [team_b])
    context = context_for(browser)
    page = context.new_page()
    sign_in(page, base, "sam")
    wait_for_socket(page)
    other = context_for(browser).new_page()
    sign_in(other, base, "other_team")
    wait_for_socket(other)
    page.mouse.move(200, 300)  # the pointer rests on the list

    params = payload("sms_inbound", sid="SM" + "7" * 32, From="+14155550177",
                     To=desk["twilio"].address, Body="Is my order shipped yet?")
    url = f"{settings.PUBLIC_URL}{INBOUND_PATH}"
    answer = requests.post(f"{base}{INBOUND_PATH}", data=params, timeout=10,
                           headers={"X-Twilio-Signature": sign(params, url)})
    assert answer.status_code == 200
    started = time.monotonic()
    page.wait_for_selector("#conv-list .conv-row:has-text('Is my order shipped yet?')",
                           timeout=1_000)
    assert time.monotonic() - started < 1.0
    created = Conversation.objects.get(interactions__provider_id="SM" + "7" * 32)
    assert page.locator(f'li[data-row-id="{created.pk}"]').count() == 1
    # No reload happened: the page's socket is the same one, still open.
    assert page.evaluate("() => window.omnidesk.realtime.state") == "open"
    # An agent of another team never gets it: the page asks, the server answers 204.
    other.wait_for_timeout(800)
    assert other.locator(f'li[data-row-id="{created.pk}"]').count() == 0
    context.close()


def test_a_note_that_mentions_a_colleague_notifies_their_open_page(desk, browser):
    base, conversation = desk["base"], desk["conversation"]
    colleague = context_for(browser)
    jo = colleague.new_page()
    sign_in(jo, base, "jo")
    wait_for_socket(jo)
    context = context_for(browser)
    page = context.new_page()
    sign_in(page, base, "sam")
    page.goto(f"{base}/conversations/{conversation.pk}/")
    page.check("input[name=mode][value=note]")
    page.fill("#composer-body", "@jo can you check the bank transfer?")
    page.click("[data-send]")
    page.wait_for_selector("#timeline .tl-note:has-text('can you check the bank transfer')")
    jo.wait_for_selector("#notifications-count:not([hidden])", timeout=5_000)
    assert jo.inner_text("#notifications-count") == "1"
    assert jo.title().startswith("(1) ")
    jo.locator("summary", has_text="Notifications").click()
    jo.wait_for_selector("#notifications-list .notif:has-text('mentioned you')")
    assert serious_violations(jo) == []
    context.close()
    colleague.close()


def test_the_workspace_fits_a_phone_and_axe_finds_nothing_serious(desk, browser):
    base, conversation = desk["base"], desk["conversation"]
    context = context_for(browser, PHONE)
    page = context.new_page()
    sign_in(page, base, "sam")
    problems: dict[str, Any] = {}
    for path in ("/", f"/conversations/{conversation.pk}/", "/search/?q=refund"):
        page.goto(f"{base}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        found = serious_violations(page)
        if width > PHONE["width"] or found:
            problems[path] = (width, found)
    page.goto(f"{base}/conversations/{conversation.pk}/")
    page.click("[data-back-to-list]")
    page.wait_for_url(f"{base}/")
    assert page.locator(f'li[data-row-id="{conversation.pk}"]').is_visible()
    context.close()
    assert problems == {}


def test_chat_typing_shows_both_ways(desk, browser):
    """The visitor's typing events show "<name> is typing…" in the open conversation; the
    agent's keystrokes on a chat reply send the socket's typing frame, at most one in 3 s,
    which reaches the visitor."""
    from django.utils import timezone

    from channels_chat.actions import do_visitor_typing
    from channels_chat.models import ChatVisitor
    from realtime.models import RealtimeEvent

    base, conversation = desk["base"], desk["conversation"]
    # Dana has the widget open (chat is then a reply option).
    ChatVisitor.objects.create(visitor_id="visitor-dana", inbox=desk["chat"], sockets=1,
                               last_seen_at=timezone.now())
    context = context_for(browser)
    page = context.new_page()
    sign_in(page, base, "sam")
    page.goto(f"{base}/conversations/{conversation.pk}/")
    wait_for_socket(page)
    assert page.inner_text("#typing-indicator") == ""
    assert do_visitor_typing("visitor-dana") is True
    page.wait_for_selector("#typing-indicator:has-text('Dana Reyes is typing…')", timeout=2_000)

    page.select_option("#composer-channel", "chat")
    page.type("#composer-body", "Looking into it", delay=20)  # ~0.3 s of keystrokes
    agent_typing = RealtimeEvent.objects.filter(name="typing", payload__by="agent")
    for _ in range(50):
        if agent_typing.exists():
            break
        time.sleep(0.1)
    [event] = agent_typing
    assert (event.payload["conversation_id"], event.payload["name"]) == (conversation.pk, "Sam")
    assert list(event.groups.values_list("group", flat=True)) == ["visitor.visitor-dana"]
    # On another channel, or in a note, nothing is sent.
    page.check("input[name=mode][value=note]")
    page.wait_for_timeout(3_100)
    page.type("#composer-body", " more", delay=20)
    page.wait_for_timeout(500)
    assert agent_typing.count() == 1
    context.close()


def test_a_note_shows_at_once_then_the_servers_item_and_a_failure_offers_retry(desk, browser):
    base, conversation = desk["base"], desk["conversation"]
    context = context_for(browser)
    page = context.new_page()
    sign_in(page, base, "sam")
    page.goto(f"{base}/conversations/{conversation.pk}/")
    wait_for_socket(page)
    note_url = f"**/conversations/{conversation.pk}/reply/"
    held: list[Any] = []
    page.route(note_url, lambda route: held.append(route))  # the answer waits
    page.check("input[name=mode][value=note]")
    page.fill("#composer-body", "Customer called twice about this")
    page.click("[data-send]")
    pending = page.locator("#timeline [data-pending-note]")
    pending.wait_for(timeout=1_000)
    assert "Sending…" in pending.inner_text()
    assert "Customer called twice about this" in pending.inner_text()
    assert page.input_value("#composer-body") == ""
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(50)
    held[0].continue_()
    page.unroute(note_url)
    page.wait_for_selector("#timeline .tl-note[data-item-id]:has-text('called twice')")
    [note] = Interaction.objects.filter(conversation=conversation, kind="note")
    assert pending.count() == 0
    assert page.locator(f'#timeline [data-item-id="{note.pk}"]').count() == 1

    # The server cannot be reached: the note says so and Retry adds it.
    page.route(note_url, lambda route: route.abort())
    page.fill("#composer-body", "Second note")
    page.click("[data-send]")
    page.wait_for_selector("#timeline [data-pending-note].is-failed")
    assert "Not added: The server could not be reached" in pending.inner_text()
    page.unroute(note_url)
    page.click("#timeline [data-pending-note] [data-pending-retry]")
    page.wait_for_selector("#timeline .tl-note[data-item-id]:has-text('Second note')")
    assert pending.count() == 0
    assert Interaction.objects.filter(conversation=conversation, kind="note").count() == 2
    assert serious_violations(page) == []
    context.close()


def test_the_presence_switch_goes_away_and_back_and_a_lead_sees_it_live(desk, browser):
    from agents.models import Agent
    from tests.conftest import make_user as make

    base, conversation, sam = desk["base"], desk["conversation"], desk["sam"]
    make("lee", Role.LEAD)
    lead_context = context_for(browser)
    lead = lead_context.new_page()
    sign_in(lead, base, "lee")
    lead.goto(f"{base}/conversations/{conversation.pk}/")
    wait_for_socket(lead)
    sam_dot = f'#assign-menu [data-presence-user="{sam.pk}"] .presence-dot'

    context = context_for(browser)
    page = context.new_page()
    sign_in(page, base, "sam")
    wait_for_socket(page)  # the socket makes Sam online
    summary = page.locator("[data-presence-summary]")
    page.wait_for_selector("[data-presence-summary] .presence-dot[data-presence='online']")
    lead.wait_for_selector(f"{sam_dot}[data-presence='online']", state="attached",
                           timeout=5_000)

    summary.click()
    page.click("[data-presence-choice='away']")
    page.wait_for_selector("[data-presence-summary]:has-text('Away')")
    assert summary.get_attribute("aria-label") == "Presence: Away"
    assert Agent.objects.get(user=sam).presence == "away"
    lead.wait_for_selector(f"{sam_dot}[data-presence='away']", state="attached", timeout=2_000)
    lead.click("#assign-menu summary")
    assert "Away" in lead.inner_text(f'#assign-menu [data-presence-user="{sam.pk}"]')
    page.reload()
    page.wait_for_selector("[data-presence-summary]:has-text('Away')")

    page.locator("[data-presence-summary]").click()
    page.click("[data-presence-choice='online']")
    page.wait_for_selector("[data-presence-summary]:has-text('Online')")
    assert Agent.objects.get(user=sam).presence == "online"
    lead.wait_for_selector(f"{sam_dot}[data-presence='online']", timeout=2_000)
    assert serious_violations(lead) == []
    context.close()
    lead_context.close()
