from __future__ import annotations

from django.db import models
from django.urls import reverse

LOCALES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español")]


class Category(models.Model):
    locale = models.CharField(max_length=8, choices=LOCALES, default="en")
    slug = models.SlugField(max_length=100)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["locale", "position", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["locale", "slug"], name="uq_category_locale_slug")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.locale})"

    def get_absolute_url(self) -> str:
        return reverse("help-category", args=[self.slug]) + f"?lang={self.locale}"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Article(models.Model):
    """Written in Markdown; `html` is the rendered, sanitized body (helpcenter.markdown),
    kept up to date by the actions that save an article."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles")
    locale = models.CharField(max_length=8, choices=LOCALES, default="en")
    # Stable: the article's URL is /help/articles/<slug>/ whatever its title becomes.
    slug = models.SlugField(max_length=150, unique=True)
    title = models.CharField(max_length=200)
    # The meta description search engines show; also the summary in lists.
    description = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)  # Markdown
    html = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=10, choices=ArticleStatus.choices,
                              default=ArticleStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category__position", "title"]
        indexes = [models.Index(fields=["locale", "status"], name="ix_article_locale_status")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("help-article", args=[self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED
