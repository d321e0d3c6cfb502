"""The live queues page in Chromium against the real ASGI app, with a real Celery worker
and beat (the SLA sweep):

- a lead watches /queues/ while an email arrives on an inbox whose SLA policy is a few
  seconds and nobody answers: the email row counts it waiting, then at risk, then
  breached, with no reload;
- axe-core finds nothing serious on the page and the wallboard; both fit 390 px.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from celery.beat import EmbeddedService

from agents.models import AssignmentMode, Role
from conversations.actions.ingest import do_record_inbound
from routing.models import SLAPolicy
from tests.browser.test_workspace import (
    PHONE,
    context_for,
    serious_violations,
    sign_in,
    wait_for_socket,
)
from tests.conftest import make_user
from tests.factories import inbound

pytestmark = pytest.mark.browser

EMAIL_ROW = 'tr[data-queue-row="channel-email"]'


def cell(page: Any, name: str) -> str:
    return str(page.locator(f'{EMAIL_ROW} td[data-cell="{name}"]').inner_text()).strip()


def wait_for_cell(page: Any, name: str, value: str, timeout_s: float) -> float:
    started = time.monotonic()
    page.wait_for_function(
        "([row, name, value]) => { const td = document.querySelector("
        "`${row} td[data-cell=\"${name}\"]`); return td && td.textContent.trim() === value; }",
        arg=[EMAIL_ROW, name, value], timeout=timeout_s * 1000,
    )
    return time.monotonic() - started


@pytest.fixture
def floor(asgi_server: str, team_a: Any, email_inbox: Any) -> dict[str, Any]:
    team_a.assignment_mode = AssignmentMode.MANUAL  # the email stays unassigned
    team_a.save()
    lead = make_user("lena", Role.LEAD, [team_a])
    return {"base": asgi_server, "lead": lead, "inbox": email_inbox}


@pytest.mark.usefixtures("celery_worker")
def test_a_lead_sees_an_unanswered_email_go_at_risk_then_breached_live(floor, browser,
                                                                      tmp_path):
    from omnidesk.celery import app

    SLAPolicy.objects.create(name="Fast email", channel="email", first_response_seconds=8)
    beat = EmbeddedService(app, thread=True, schedule_filename=str(tmp_path / "beat"))
    beat.start()
    context = context_for(browser)
    page = context.new_page()
    try:
        sign_in(page, floor["base"], "lena")
        page.goto(f"{floor['base']}/queues/")
        wait_for_socket(page)
        assert (cell(page, "waiting"), cell(page, "at_risk"), cell(page, "breached")) == (
            "0", "0", "0")
        page.evaluate("window.__sameDocument = true")

        do_record_inbound(inbound(floor["inbox"], "email", "email", "ana@example.com",
                                  "My parcel never came"))
        waited = wait_for_cell(page, "waiting", "1", 10)
        at_risk = wait_for_cell(page, "at_risk", "1", 20)
        breached = wait_for_cell(page, "breached", "1", 20)
        print(f"\nwaiting after {waited:.2f} s, at risk {at_risk:.2f} s later, "
              f"breached {breached:.2f} s after that")
        assert cell(page, "unassigned") == "1"
        assert page.evaluate("window.__sameDocument") is True  # no reload
        # The drill-down lists it, with the reassign control.
        assert page.locator('tr[data-attention][data-state="breached"]').count() == 1
    finally:
        context.close()
        beat.stop()


def test_the_queues_page_and_wallboard_fit_a_phone_and_axe_finds_nothing_serious(
    floor, browser
):
    context = context_for(browser, PHONE)
    page = context.new_page()
    sign_in(page, floor["base"], "lena")
    problems: dict[str, Any] = {}
    for path in ("/queues/", "/queues/?wallboard=1"):
        page.goto(f"{floor['base']}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        found = serious_violations(page)
        if width > PHONE["width"] or found:
            problems[path] = (width, found)
    context.close()
    assert problems == {}
