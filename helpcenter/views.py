"""The public help center pages: home (categories), a category, an article, search."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from helpcenter.models import LOCALES, Article, ArticleStatus, Category
from helpcenter.queries import categories, locale_of, published, search_articles


def _locale(request: HttpRequest) -> str:
    """?lang=, else the browser's first language, else English."""
    accepted = request.headers.get("Accept-Language", "").split(",")[0]
    return locale_of(request.GET.get("lang") or accepted)


def home(request: HttpRequest) -> HttpResponse:
    locale = _locale(request)
    query = request.GET.get("q", "").strip()
    context = {
        "locale": locale,
        "locales": LOCALES,
        "query": query,
        "results": search_articles(query, locale) if query else None,
        "categories": categories(locale),
    }
    return render(request, "helpcenter/home.html", context)


def category(request: HttpRequest, slug: str) -> HttpResponse:
    locale = _locale(request)
    found = get_object_or_404(Category, locale=locale, slug=slug)
    articles = list(published(locale).filter(category=found).order_by("title"))
    if not articles:
        raise Http404("No published articles in this category.")
    return render(request, "helpcenter/category.html",
                  {"locale": locale, "category": found, "articles": articles})


def article(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(Article.objects.select_related("category"), slug=slug,
                              status=ArticleStatus.PUBLISHED)
    related = list(published(found.locale).filter(category=found.category_id)
                   .exclude(pk=found.pk).order_by("title")[:5])
    return render(request, "helpcenter/article.html",
                  {"locale": found.locale, "article": found, "related": related})
