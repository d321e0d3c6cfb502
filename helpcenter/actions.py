"""Writes of the help center: saving and publishing articles, and recording that a known
visitor read one (an event on their customer timeline, for agents only)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from conversations.actions.timeline import record_event
from conversations.models import Conversation, ConversationStatus, Interaction
from helpcenter.markdown import render_markdown
from helpcenter.models import Article, ArticleStatus

ARTICLE_VIEWED = "article_viewed"
# A second read of the same article this soon is the same visit.
SAME_VISIT = timedelta(minutes=30)


def do_save_article(article: Article) -> Article:
    """Render the Markdown and save; publishing stamps the first publication time."""
    with transaction.atomic():
        article.html = render_markdown(article.body)
        if article.status == ArticleStatus.PUBLISHED and article.published_at is None:
            article.published_at = timezone.now()
        article.save()
    return article


def do_delete_article(article: Article) -> None:
    with transaction.atomic():
        article.delete()


def do_publish_article(article: Article, *, published: bool = True) -> Article:
    article.status = ArticleStatus.PUBLISHED if published else ArticleStatus.DRAFT
    return do_save_article(article)


def do_record_article_view(
    customer_id: int, article: Article, *, at: datetime | None = None
) -> Interaction | None:
    """A known visitor read `article`: an "article viewed" event on their open conversation
    (else their latest), so the agent sees what they tried first. Internal, so never
    shown to a visitor. None when the customer has no conversation yet, or read it
    moments ago."""
    at = at or timezone.now()
    with transaction.atomic():
        mine = Conversation.objects.select_for_update(no_key=True).filter(customer_id=customer_id)
        conversation = (
            mine.exclude(status=ConversationStatus.RESOLVED)
            .order_by("-last_activity_at", "-id").first()
            or mine.order_by("-last_activity_at", "-id").first()
        )
        if conversation is None:
            return None
        recent = Interaction.objects.filter(
            conversation=conversation, event_type=ARTICLE_VIEWED,
            meta__article_id=article.pk, occurred_at__gte=at - SAME_VISIT,
        ).exists()
        if recent:
            return None
        return record_event(
            conversation, ARTICLE_VIEWED, f"Read the help article “{article.title}”",
            meta={"article_id": article.pk, "slug": article.slug, "title": article.title,
                  "url": article.get_absolute_url()},
            at=at,
        )
