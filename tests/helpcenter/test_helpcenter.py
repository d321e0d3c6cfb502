"""The help center: sanitized Markdown, public pages with titles and descriptions, ranked
search, the articles API, suggestions in the widget, and reads on the customer timeline."""

from __future__ import annotations

import asyncio

import pytest
from django.test import Client

from conversations.models import Interaction
from helpcenter.actions import ARTICLE_VIEWED, do_save_article
from helpcenter.markdown import render_markdown
from helpcenter.models import Article, Category
from helpcenter.queries import search_articles
from tests.chat.helpers import frames_until, hello, visitor_socket
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipping(db) -> Category:
    return Category.objects.create(slug="shipping", name="Shipping", locale="en",
                                   description="Delivery times and costs")


def _article(category: Category, slug: str, title: str, body: str, *, description: str = "",
             status: str = "published", locale: str = "en") -> Article:
    return do_save_article(Article(category=category, slug=slug, title=title, body=body,
                                   description=description, status=status, locale=locale))


def test_markdown_is_rendered_and_sanitized():
    html = render_markdown(
        "## Returns\n\nSee [the form](https://shop.example/returns) or "
        "[this](javascript:alert(1)).\n\n<script>alert(1)</script>\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<h2>Returns</h2>" in html
    assert '<a href="https://shop.example/returns" rel="noopener noreferrer">the form</a>' in html
    assert 'href="javascript' not in html and "<script" not in html
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>" in html  # shown, not run
    assert "<td>1</td>" in html


def test_public_pages_show_published_articles_with_title_and_description(shipping):
    _article(shipping, "delivery-times", "Delivery times", "Parcels take **3-5 days**.",
             description="How long a parcel takes to reach you.")
    _article(shipping, "secret-draft", "Unreleased", "Not yet.", status="draft")
    client = Client()
    home = client.get("/help/").content.decode()
    assert "Delivery times" in home and "Unreleased" not in home
    page = client.get("/help/articles/delivery-times/").content.decode()
    assert "<title>Delivery times · Help center</title>" in page
    assert '<meta name="description" content="How long a parcel takes to reach you.">' in page
    assert "<strong>3-5 days</strong>" in page
    assert client.get("/help/articles/secret-draft/").status_code == 404
    category = client.get("/help/shipping/")
    assert category.status_code == 200 and "Delivery times" in category.content.decode()


def test_search_ranks_a_title_match_above_a_body_match(shipping):
    _article(shipping, "passwords", "Changing your email", "You can change your password too.")
    _article(shipping, "reset-password", "Reset your password", "Use the link we send.")
    _article(shipping, "tents", "Pitching a tent", "Stakes first.")
    found = [a.slug for a in search_articles("password", "en")]
    assert found == ["reset-password", "passwords"]
    assert [a.slug for a in search_articles("passwords", "en")] == found  # stemmed
    assert search_articles("tent", "de") == []  # another locale
    page = Client().get("/help/?q=password").content.decode()
    assert page.index("Reset your password") < page.index("Changing your email")


def test_anyone_reads_the_api_and_only_admins_write(shipping, admin_user, agent_a):
    _article(shipping, "draft", "A draft", "x", status="draft")
    _article(shipping, "live", "Live", "y")
    anonymous = api_client_for(None)
    listed = anonymous.get("/api/v1/articles/")
    assert listed.status_code == 200
    assert [a["slug"] for a in listed.json()["results"]] == ["live"]
    body = {"slug": "new-one", "locale": "en", "category": "shipping", "title": "New",
            "body": "# Hi\n\n*there*", "status": "published"}
    assert anonymous.post("/api/v1/articles/", body, format="json").status_code in (401, 403)
    assert api_client_for(agent_a).post("/api/v1/articles/", body,
                                        format="json").status_code == 403
    admin = api_client_for(admin_user)
    created = admin.post("/api/v1/articles/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["html"] == "<h2>Hi</h2>\n<p><em>there</em></p>\n"
    assert created.json()["published_at"] is not None
    assert sorted(a["slug"] for a in admin.get("/api/v1/articles/").json()["results"]) == [
        "draft", "live", "new-one"]
    searched = anonymous.get("/api/v1/articles/?q=new")
    assert [a["slug"] for a in searched.json()["results"]] == ["new-one"]


def test_the_widget_suggests_articles(chat_inbox, shipping):
    _article(shipping, "delivery-times", "Delivery times", "Parcels take 3-5 days.")
    answer = Client().get("/chat/web-chat/articles/?q=delivery", HTTP_ORIGIN="https://a.test")
    assert answer.status_code == 200
    assert [r["slug"] for r in answer.json()["results"]] == ["delivery-times"]
    assert answer.json()["results"][0]["url"].endswith("/help/articles/delivery-times/")


@pytest.mark.django_db(transaction=True)
def test_an_article_a_known_visitor_reads_is_on_their_timeline_for_agents_only(
    chat_inbox, shipping
):
    _article(shipping, "delivery-times", "Delivery times", "Parcels take 3-5 days.")

    async def scenario() -> None:
        visitor = visitor_socket(chat_inbox)
        await hello(visitor)
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "Hi"})
        await frames_until(visitor, "ack")
        await frames_until(visitor, "event")
        await visitor.send_json_to({"type": "article", "slug": "delivery-times"})
        await visitor.send_json_to({"type": "article", "slug": "delivery-times"})  # same visit
        await visitor.send_json_to({"type": "ping"})
        frames = await frames_until(visitor, "pong")
        assert [f for f in frames if f["type"] == "event"] == []
        await visitor.disconnect()

    asyncio.run(scenario())
    event = Interaction.objects.get(event_type=ARTICLE_VIEWED)
    assert event.text == "Read the help article “Delivery times”"
    assert event.direction == "internal"
    assert event.customer_id == Interaction.objects.get(text="Hi").customer_id


@pytest.mark.django_db(transaction=True)
def test_articles_read_before_the_first_message_show_before_it(chat_inbox, shipping):
    _article(shipping, "delivery-times", "Delivery times", "Parcels take 3-5 days.")
    _article(shipping, "track-your-order", "Tracking your order", "Use the link.")

    async def scenario() -> None:
        visitor = visitor_socket(chat_inbox)
        await hello(visitor)
        await visitor.send_json_to({"type": "article", "slug": "delivery-times"})
        await visitor.send_json_to({"type": "article", "slug": "track-your-order"})
        await visitor.send_json_to({"type": "article", "slug": "no-such-article"})
        await visitor.send_json_to({"type": "message", "client_id": "c1", "text": "Still late"})
        await frames_until(visitor, "ack")
        await visitor.disconnect()

    asyncio.run(scenario())
    message = Interaction.objects.get(text="Still late")
    timeline = list(Interaction.objects.filter(conversation=message.conversation)
                    .order_by("occurred_at", "id").values_list("event_type", "text"))
    assert timeline == [
        ("article_viewed", "Read the help article “Delivery times”"),
        ("article_viewed", "Read the help article “Tracking your order”"),
        ("", "Still late"),
    ]
