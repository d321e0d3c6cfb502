"""The customer panel: CSAT answers and help-center articles read (from their events on the
customer's conversations the agent may see), and the email a chat visitor claimed."""

from __future__ import annotations

import re

import pytest

from conversations.actions.update import do_update_conversation
from csat.actions.survey import do_answer_survey, do_create_survey
from customers.models import Customer
from helpcenter.actions import do_record_article_view, do_save_article
from helpcenter.models import Article, Category

pytestmark = pytest.mark.django_db


def _panel(client, conversation) -> str:
    html = client.get(f"/customers/{conversation.customer_id}/panel/"
                      f"?conversation={conversation.pk}").content.decode()
    return re.sub(r"\s+", " ", html)


def test_csat_answers_and_articles_read_show_newest_first_once_each(
    dana, agent_a, agent_b, lead, signed_in
):
    shipping = Category.objects.create(slug="shipping", name="Shipping", locale="en")
    refunds = do_save_article(Article(category=shipping, slug="refunds", title="Refund times",
                                      body="Five days.", status="published"))
    cards = do_save_article(Article(category=shipping, slug="cards", title="Card payments",
                                    body="Visa.", status="published"))
    do_record_article_view(dana.customer_id, refunds)
    do_record_article_view(dana.customer_id, cards)
    dana = do_update_conversation(dana, by=lead, changes={"status": "resolved"})
    survey = do_create_survey(dana)
    do_answer_survey(survey, rating=2)
    do_answer_survey(survey, rating=4, comment="Quick in the end", effort=2)

    html = _panel(signed_in(agent_a), dana)
    assert html.count('class="csat-answer"') == 1  # the survey's newest answer only
    assert ('<span class="csat-rating" data-rating="4">4/5</span> <span class="extras-text">'
            "Customer rated 4/5 (Happy): “Quick in the end” "
            '<span class="muted">· effort 2/5</span></span>') in html
    reads = re.findall(r'<a href="(/help/[^"]+)" target="_blank" rel="noopener">([^<]+)</a>',
                       html)
    assert reads == [(cards.get_absolute_url(), "Card payments"),
                     (refunds.get_absolute_url(), "Refund times")]
    # Events of conversations an agent may not see stay out of their panel.
    other = _panel(signed_in(agent_b), dana)
    assert "csat-answer" not in other and "Refund times" not in other


def test_nothing_yet_says_so(dana, agent_a, signed_in):
    html = _panel(signed_in(agent_a), dana)
    assert "No survey answers yet." in html
    assert "None read while signed in to the help center." in html


def test_a_claimed_email_shows_unverified_until_it_is_an_identity(dana, agent_a, signed_in):
    Customer.objects.filter(pk=dana.customer_id).update(
        attributes={"chat_claimed_email": "dana.r@example.org", "plan": "gold"})
    html = _panel(signed_in(agent_a), dana)
    assert ('<span class="identity-value"><span class="muted">Claims to be</span> '
            "dana.r@example.org</span>") in html
    assert "<dt>plan</dt><dd>gold</dd>" in html
    assert "<dt>chat_claimed_email</dt>" not in html
    # Dana's known email claimed again: nothing more to show.
    Customer.objects.filter(pk=dana.customer_id).update(
        attributes={"chat_claimed_email": "DANA@example.com"})
    assert "data-claimed-email" not in _panel(signed_in(agent_a), dana)
