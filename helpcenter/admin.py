from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from helpcenter.actions import do_publish_article, do_save_article
from helpcenter.models import Article, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "locale", "slug", "position"]
    list_filter = ["locale"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "locale", "category", "status", "published_at", "updated_at"]
    list_filter = ["locale", "status", "category"]
    search_fields = ["title", "description", "body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["published_at"]
    actions = ["publish", "unpublish"]

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        do_save_article(obj)

    @admin.action(description="Publish the selected articles")
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            do_publish_article(article)

    @admin.action(description="Turn the selected articles back into drafts")
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            do_publish_article(article, published=False)
