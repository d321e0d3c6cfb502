"""Settings → Routing rules in Chromium against the real ASGI app, with a real Celery
worker: an admin creates a rule in the browser, and the next matching conversation goes
to that rule's team (a conversation that does not match stays with its inbox's team)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from agents.models import Role
from conversations.actions.ingest import do_record_inbound
from conversations.models import Conversation
from routing.models import RoutingRule
from tests.browser.test_workspace import context_for, serious_violations, sign_in
from tests.conftest import make_user
from tests.factories import inbound

pytestmark = pytest.mark.browser


def team_of(conversation: Conversation, expected: int, timeout_s: float = 15) -> int | None:
    deadline = time.monotonic() + timeout_s
    while True:
        team_id = Conversation.objects.values_list("team_id", flat=True).get(pk=conversation.pk)
        if team_id == expected or time.monotonic() > deadline:
            return team_id
        time.sleep(0.1)


@pytest.mark.usefixtures("celery_worker")
def test_an_admin_creates_a_rule_in_the_browser_and_the_next_match_goes_to_its_team(
    asgi_server: str, browser: Any, email_inbox: Any, team_a: Any, team_b: Any
):
    make_user("ada", Role.ADMIN)
    context = context_for(browser)
    page = context.new_page()
    sign_in(page, asgi_server, "ada")
    page.goto(f"{asgi_server}/settings/routing/")
    page.click("text=New rule")
    page.fill("#id_name", "Refunds to billing")
    page.check('input[name="channels"][value="email"]')
    page.fill("#id_keywords", "refund")
    page.select_option("#id_set_team", label="Team B")
    assert serious_violations(page) == []
    with page.expect_navigation():
        page.click("form.settings-form button[type=submit]")
    assert page.url.endswith("/settings/routing/")
    assert page.locator("tr[data-rule]").count() == 1
    assert "Refunds to billing" in page.locator("tr[data-rule]").inner_text()
    rule = RoutingRule.objects.get()
    assert (rule.conditions, rule.set_team_id) == (
        {"channels": ["email"], "keywords": ["refund"]}, team_b.pk)

    matching = do_record_inbound(inbound(email_inbox, "email", "email", "ana@example.com",
                                         "Where is my refund?")).conversation
    other = do_record_inbound(inbound(email_inbox, "email", "email", "bo@example.com",
                                      "Opening hours?")).conversation
    assert team_of(matching, team_b.pk) == team_b.pk
    assert team_of(other, team_a.pk, timeout_s=2) == team_a.pk

    page.goto(f"{asgi_server}/settings/routing/?conversation={matching.pk}")
    assert "“Refunds to billing” matches." in page.inner_text("[data-dry-result]")
    assert serious_violations(page) == []
    context.close()


def rule_names(page: Any) -> list[str]:
    return page.locator("tr[data-rule]").evaluate_all(
        "rows => rows.map(r => r.getAttribute('data-rule-name'))")


def test_an_admin_drags_a_rule_to_the_top_and_moves_one_by_keyboard(
    asgi_server: str, browser: Any
):
    make_user("ada", Role.ADMIN)
    for n, name in enumerate(("Refunds", "VIP", "Spanish"), start=1):
        RoutingRule.objects.create(name=name, position=n * 10)
    context = context_for(browser)
    page = context.new_page()
    sign_in(page, asgi_server, "ada")
    page.goto(f"{asgi_server}/settings/routing/")
    assert rule_names(page) == ["Refunds", "VIP", "Spanish"]
    spanish = page.locator('tr[data-rule-name="Spanish"] [data-rule-grip]')
    refunds = page.locator('tr[data-rule-name="Refunds"]')
    box = refunds.bounding_box()
    assert box is not None
    spanish.hover()
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 4, steps=8)
    page.mouse.up()
    page.wait_for_function(
        "document.querySelector('[data-rules-status]').textContent.includes('saved')")
    assert "“Spanish” is now rule 1 of 3" in page.inner_text("[data-rules-status]")
    assert rule_names(page) == ["Spanish", "Refunds", "VIP"]
    assert page.locator("[data-rule-number]").all_inner_texts() == ["1", "2", "3"]
    assert list(RoutingRule.objects.values_list("name", "position")) == [
        ("Spanish", 10), ("Refunds", 20), ("VIP", 30)]
    # The first row's "Move up" is off now, the old first's is on.
    assert page.locator('tr[data-rule-name="Spanish"] [data-rule-move="up"]').is_disabled()
    assert page.locator('tr[data-rule-name="Refunds"] [data-rule-move="up"]').is_enabled()
    page.reload()
    assert rule_names(page) == ["Spanish", "Refunds", "VIP"]

    # Let go outside the list: the rule goes back to its place and nothing is saved.
    page.locator('tr[data-rule-name="VIP"] [data-rule-grip]').hover()
    page.mouse.down()
    first = page.locator('tr[data-rule-name="Spanish"]').bounding_box()
    assert first is not None
    page.mouse.move(first["x"] + 40, first["y"] + 4, steps=8)
    heading = page.locator("h1").bounding_box()
    assert heading is not None
    page.mouse.move(heading["x"] + 10, heading["y"] + 5, steps=8)
    page.mouse.up()
    assert rule_names(page) == ["Spanish", "Refunds", "VIP"]
    assert list(RoutingRule.objects.values_list("name", flat=True)) == [
        "Spanish", "Refunds", "VIP"]

    # Keyboard: the move buttons stay, and the order they make persists too.
    page.locator('tr[data-rule-name="VIP"] [data-rule-move="up"]').focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert rule_names(page) == ["Spanish", "VIP", "Refunds"]
    assert list(RoutingRule.objects.values_list("name", flat=True)) == [
        "Spanish", "VIP", "Refunds"]
    assert serious_violations(page) == []
    context.close()
