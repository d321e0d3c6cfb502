"""Interactions across conversations: for integrations that sync messages out. Reads go
through the read layer (conversations.queries); answers are conversations.payloads."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import KeysetPagination
from api.serializers.interactions import InteractionSerializer
from api.views.base import AgentViewSet
from api.views.conversations import REMOTE_IMAGES
from conversations.access import visible_interactions
from conversations.models import Interaction
from conversations.payloads import interaction_payload
from conversations.queries import (
    InteractionFilters,
    interaction_list,
    show_remote_images,
    timeline_ordering,
    visible_interaction,
)

LIST_FILTERS = [
    OpenApiParameter(name, str, description=f"Comma-separated for several {name} values.")
    for name in ("channel", "direction", "kind", "status")
] + [
    OpenApiParameter("customer", int),
    OpenApiParameter("conversation", int),
    OpenApiParameter("order", str, enum=["asc", "desc"], description="Default desc."),
    REMOTE_IMAGES,
]


@extend_schema(tags=["interactions"])
class InteractionViewSet(AgentViewSet):
    serializer_class = InteractionSerializer
    pagination_class = KeysetPagination

    def get_queryset(self) -> QuerySet[Interaction]:
        return visible_interactions(self.user)

    @extend_schema(parameters=LIST_FILTERS)
    def list(self, request: Request) -> Response:
        params = request.query_params
        filters = InteractionFilters.parse(params)
        ordering = timeline_ordering("interactions", params, default="desc")
        show = show_remote_images(params)
        page = interaction_list(self.user, filters, ordering, self.keyset.page_request(request))
        return self.keyset.respond(
            page, [interaction_payload(i, show_remote_images=show) for i in page.items]
        )

    @extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH),
                               REMOTE_IMAGES])
    def retrieve(self, request: Request, pk: str) -> Response:
        show = show_remote_images(request.query_params)
        interaction = visible_interaction(self.user, pk)
        if interaction is None:
            raise Http404("No such interaction.")
        return Response(interaction_payload(interaction, show_remote_images=show))
