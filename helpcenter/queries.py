"""Reads of the help center: published articles per locale, and search ranked by relevance.

PostgreSQL: full-text search (title weighted over description over body, the locale's
text-search configuration, web-search syntax) ranked by ts_rank. The embedded SQLite set-up
ranks the same fields by weighted term matches instead."""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import QuerySet

from helpcenter.models import LOCALES, Article, ArticleStatus, Category

DEFAULT_LOCALE = "en"
PG_CONFIGS = {"en": "english", "de": "german", "fr": "french", "es": "spanish"}
WORD = re.compile(r"\w+", re.UNICODE)


def locale_of(value: str | None) -> str:
    code = (value or "").lower()[:2]
    return code if code in dict(LOCALES) else DEFAULT_LOCALE


def published(locale: str) -> QuerySet[Article]:
    return Article.objects.filter(locale=locale, status=ArticleStatus.PUBLISHED).select_related(
        "category"
    )


def categories(locale: str) -> list[Category]:
    """The locale's categories with at least one published article, each with them."""
    found: dict[int, Category] = {}
    for article in published(locale).order_by("category__position", "category__name", "title"):
        category = found.setdefault(article.category_id, article.category)
        category.__dict__.setdefault("published_articles", []).append(article)
    return list(found.values())


def search_articles(query: str, locale: str, *, limit: int = 10) -> list[Article]:
    query = query.strip()[:200]
    if not WORD.search(query):
        return []
    if connection.vendor == "postgresql":
        return _search_postgres(query, locale, limit)
    return _search_ranked_in_python(query, locale, limit)


def _search_postgres(query: str, locale: str, limit: int) -> list[Article]:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    config = PG_CONFIGS.get(locale, "simple")
    vector = (
        SearchVector("title", weight="A", config=config)
        + SearchVector("description", weight="B", config=config)
        + SearchVector("body", weight="C", config=config)
    )
    wanted = SearchQuery(query, search_type="websearch", config=config)
    return list(
        published(locale)
        .annotate(search=vector, rank=SearchRank(vector, wanted))
        .filter(search=wanted)
        .order_by("-rank", "title")[:limit]
    )


def _search_ranked_in_python(query: str, locale: str, limit: int) -> list[Article]:
    terms = {w.lower() for w in WORD.findall(query) if len(w) > 1}
    scored = []
    for article in published(locale):
        fields = ((article.title, 5.0), (article.description, 2.0), (article.body, 1.0))
        score = 0.0
        for text, weight in fields:
            words = [w.lower() for w in WORD.findall(text)]
            score += weight * sum(1 for w in words if any(w.startswith(t) for t in terms))
        if score:
            scored.append((score, article.title, article))
    scored.sort(key=lambda row: (-row[0], row[1]))
    return [article for _, _, article in scored[:limit]]
