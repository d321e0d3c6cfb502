"""Interactions across conversations: for integrations that sync messages out."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.filters import filter_interactions, order_interactions
from api.serializers.interactions import (
    INTERACTION_PREFETCH,
    INTERACTION_SELECT,
    InteractionSerializer,
)
from api.views.base import AgentViewSet
from conversations.access import visible_interactions
from conversations.models import Interaction

LIST_FILTERS = [
    OpenApiParameter(name, str, description=f"Comma-separated for several {name} values.")
    for name in ("channel", "direction", "kind", "status")
] + [
    OpenApiParameter("customer", int),
    OpenApiParameter("conversation", int),
    OpenApiParameter("order", str, enum=["asc", "desc"], description="Default desc."),
]


@extend_schema(tags=["interactions"])
class InteractionViewSet(AgentViewSet):
    serializer_class = InteractionSerializer

    def get_queryset(self) -> QuerySet[Interaction]:
        return (
            visible_interactions(self.user)
            .select_related(*INTERACTION_SELECT)
            .prefetch_related(*INTERACTION_PREFETCH)
        )

    @extend_schema(parameters=LIST_FILTERS)
    def list(self, request: Request) -> Response:
        qs = filter_interactions(self.get_queryset(), request.query_params)
        page = self.paginate_queryset(order_interactions(qs, request.query_params, "desc"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)])
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self.get_serializer(self.get_object()).data)
