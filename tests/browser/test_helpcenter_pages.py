"""The help center's public pages at desktop and phone widths: axe finds nothing
serious, nothing is wider than the screen; screenshots to docs/screenshots/."""

from __future__ import annotations

import pytest

from demo import articles
from helpcenter.actions import do_save_article
from helpcenter.models import Article, Category
from tests.browser.test_chat_widget import SHOTS
from tests.browser.test_workspace import DESKTOP, PHONE, context_for, serious_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def help_center(transactional_db):
    categories = {slug: Category.objects.create(slug=slug, name=name, description=about,
                                                position=i)
                  for i, (slug, name, about) in enumerate(articles.CATEGORIES)}
    for cat, slug, title, about, body in articles.ARTICLES:
        do_save_article(Article(category=categories[cat], slug=slug, title=title,
                                description=about, body=body, status="published"))


@pytest.mark.parametrize(("viewport", "suffix"), [(DESKTOP, "1440"), (PHONE, "390")])
def test_help_pages_read_well_at_both_sizes(asgi_server, browser, help_center, viewport,
                                            suffix):
    context = context_for(browser, viewport)
    page = context.new_page()
    page.goto(f"{asgi_server}/help/")
    assert page.title() == "Help center"
    assert page.locator("h1").inner_text() == "How can we help?"
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"help-home-{suffix}.png"), full_page=True)
    page.get_by_role("link", name="How long does delivery take?").click()
    page.wait_for_url("**/help/articles/delivery-times/")
    assert page.title() == "How long does delivery take? · Help center"
    assert page.locator("meta[name=description]").get_attribute("content").startswith(
        "Delivery times by destination")
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.screenshot(path=str(SHOTS / f"help-article-{suffix}.png"), full_page=True)
    page.get_by_role("searchbox", name="Search the help center").fill("refund")
    page.get_by_role("button", name="Search").click()
    page.wait_for_selector("h1:has-text('Results for')")
    assert page.locator(".help-list a").first.inner_text() == "When will I get my refund?"
    context.close()
