"""Help center articles: anyone reads the published ones; admins write (Markdown)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from helpcenter.models import Article, Category


class ArticleSerializer(serializers.ModelSerializer[Article]):
    category = serializers.SlugRelatedField(
        slug_field="slug", queryset=Category.objects.all(),
        help_text="The slug of a category of the article's locale.",
    )
    html = serializers.CharField(read_only=True, help_text="The rendered, sanitized body.")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = ["id", "slug", "locale", "category", "title", "description", "body", "html",
                  "status", "published_at", "updated_at", "url"]
        read_only_fields = ["id", "published_at", "updated_at"]

    def get_url(self, article: Article) -> str:
        return article.get_absolute_url()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        category = attrs.get("category") or getattr(self.instance, "category", None)
        locale = attrs.get("locale") or getattr(self.instance, "locale", "en")
        if category is not None and category.locale != locale:
            raise serializers.ValidationError(
                {"category": [f"{category.slug} is a {category.locale} category; the article "
                              f"is {locale}."]})
        return attrs
