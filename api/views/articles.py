"""/api/v1/articles/: the help center's articles. Reading the published ones needs no
account (the help center is public); admins also see drafts, and only they write."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from agents.access import agent_for, is_admin
from api.authentication import ThrottledTokenAuthentication
from api.parsers import SafeJSONParser
from api.serializers.articles import ArticleSerializer
from helpcenter.actions import do_delete_article, do_save_article
from helpcenter.models import Article, ArticleStatus
from helpcenter.queries import locale_of, search_articles


def _is_admin(request: Request) -> bool:
    user = request.user
    return bool(user and user.is_authenticated and is_admin(agent_for(user)))


class ReadPublicWriteAdmin(BasePermission):
    message = "Only admins may change articles."

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in SAFE_METHODS or _is_admin(request)


@extend_schema(tags=["articles"])
class ArticleViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    authentication_classes = [ThrottledTokenAuthentication, SessionAuthentication]
    permission_classes = [ReadPublicWriteAdmin]
    parser_classes = [SafeJSONParser]
    serializer_class = ArticleSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Article]:
        articles = Article.objects.select_related("category").order_by("locale", "title")
        if not _is_admin(self.request):
            articles = articles.filter(status=ArticleStatus.PUBLISHED)
        locale = self.request.query_params.get("locale")
        if locale:
            articles = articles.filter(locale=locale_of(locale))
        return articles

    @extend_schema(parameters=[
        OpenApiParameter("locale", str, description="en, de, fr or es"),
        OpenApiParameter("q", str, description="Full-text search, best match first."),
    ])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        """Published articles (admins: drafts too); with `q`, ranked search results."""
        query = request.query_params.get("q", "").strip()
        if query:
            from rest_framework.response import Response

            locale = locale_of(request.query_params.get("locale"))
            found = search_articles(query, locale, limit=20)
            return Response({"count": len(found), "next": None, "previous": None,
                             "results": ArticleSerializer(found, many=True).data})
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = do_save_article(Article(**serializer.validated_data))

    def perform_update(self, serializer: Any) -> None:
        article = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(article, name, value)
        serializer.instance = do_save_article(article)

    def perform_destroy(self, instance: Article) -> None:
        do_delete_article(instance)
