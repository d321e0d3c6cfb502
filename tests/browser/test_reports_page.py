"""A lead's report page in a real browser: the chart is drawn from the embedded figures,
the tables hold them too, axe finds nothing serious, nothing overflows a phone."""

from __future__ import annotations

import pytest

from agents.models import Agent
from reports.actions.rollup import do_roll_up_day
from tests.browser.conftest import screenshot
from tests.browser.test_design_system import PHONE, serious_violations
from tests.browser.test_settings_inbox import sign_in
from tests.reports.conftest import MONDAY, SUNDAY, report_day  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_lead_reads_the_report(asgi_server, browser, report_day, lead, team_a, scheme):  # noqa: F811
    Agent.objects.get(user=lead).teams.set([team_a])
    do_roll_up_day(SUNDAY)
    do_roll_up_day(MONDAY)
    context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True,
                                  color_scheme=scheme)
    page = context.new_page()
    sign_in(page, asgi_server, "lead")
    page.goto(f"{asgi_server}/reports/?from={SUNDAY.isoformat()}&to={MONDAY.isoformat()}")
    page.wait_for_function("window.Chart && Chart.getChart(document.querySelector('canvas'))")
    drawn = page.evaluate("Chart.getChart(document.querySelector('canvas')).data.datasets"
                          ".map(d => [d.label, d.data])")
    assert drawn == [["New", [1, 4]], ["Resolved", [0, 3]], ["Backlog at day's end", [1, 2]]]
    assert page.locator(".stat", has_text="First response, median").locator(
        ".stat-value").inner_text() == "35 min"
    # The breakdown tables load after the page, in place.
    page.wait_for_function("document.querySelectorAll('table.report-breakdown').length === 3")
    assert page.locator("#by-agent-title").count() == 1
    assert page.locator("table.report-breakdown").nth(2).locator("tbody th").all_inner_texts() == [
        "agent_a", "Unassigned"]
    assert serious_violations(page) == []
    screenshot(page, f"reports-{scheme}")
    page.set_viewport_size(PHONE)
    # Chart.js resizes its canvas on the next animation frames (ResizeObserver).
    page.wait_for_function("document.documentElement.scrollWidth <= window.innerWidth",
                           timeout=5000)
    context.close()
