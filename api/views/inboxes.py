"""Inboxes: every agent may list them; only admins configure them."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.permissions import IsAdminForWrites, IsAgent
from api.serializers.inboxes import InboxSerializer, InboxTokenSerializer
from api.views.base import AgentViewSet
from conversations.actions.inbox import (
    InvalidInboxConfig,
    do_create_inbox,
    do_deactivate_inbox,
    do_rotate_inbox_token,
    do_update_inbox,
)
from conversations.models import Inbox

ID_PATH = OpenApiParameter("id", int, OpenApiParameter.PATH)


@extend_schema(tags=["inboxes"])
class InboxViewSet(AgentViewSet):
    serializer_class = InboxSerializer
    permission_classes = [IsAgent, IsAdminForWrites]

    def get_queryset(self) -> QuerySet[Inbox]:
        return Inbox.objects.order_by("name", "id")

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(parameters=[ID_PATH])
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            inbox = do_create_inbox(by=self.user, **data.validated_data)
        except InvalidInboxConfig as exc:
            raise ValidationError({"config": [str(exc)]}) from exc
        return Response(self.get_serializer(inbox).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID_PATH])
    def partial_update(self, request: Request, pk: str) -> Response:
        inbox = self.get_object()
        data = self.get_serializer(inbox, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            inbox = do_update_inbox(inbox, by=self.user, changes=dict(data.validated_data))
        except InvalidInboxConfig as exc:
            raise ValidationError({"config": [str(exc)]}) from exc
        return Response(self.get_serializer(inbox).data)

    @extend_schema(parameters=[ID_PATH], responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        """Deactivates the inbox: it is kept so its history and de-duplication stay."""
        do_deactivate_inbox(self.get_object(), by=self.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(parameters=[ID_PATH], request=None, responses=InboxTokenSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-token")
    def rotate_token(self, request: Request, pk: str) -> Response:
        """A new token for the inbox (the old one stops working), shown this once."""
        token = do_rotate_inbox_token(self.get_object(), by=self.user)
        return Response(InboxTokenSerializer({"token": token}).data)
